// The network-owner index against the dataset it was built from: every answer for a sample of addresses equals a
// plain scan of the CSV, and known networks are named and marked.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { openNetworkLocator } from "./network.ts";
import { HOSTING_ASNS } from "./hosting.ts";

const csv = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@ip-location-db/asn/package.json")),
  "asn-ipv4-num.csv",
);

describe("openNetworkLocator", () => {
  const network = openNetworkLocator(undefined);

  it("names the owner and marks hosting providers, IPv4, IPv6 and IPv4-mapped", () => {
    expect(network.lookup("8.8.8.8")).toEqual({ asn: 15169, organization: "Google LLC", hosting: true });
    expect(network.lookup("::ffff:8.8.4.4")).toMatchObject({ asn: 15169, hosting: true });
    expect(network.lookup("2001:4860:4860::8888")).toMatchObject({ asn: 15169, hosting: true });
    expect(network.lookup("3.5.140.1")).toMatchObject({ asn: 16509, hosting: true });
    expect(network.lookup("81.2.69.142")).toEqual({ asn: 20712, organization: "Andrews & Arnold Ltd", hosting: false });
    expect(network.lookup("2a03:2880:f003:c07:face:b00c::2")).toMatchObject({ asn: 32934, hosting: false });
    // No owner for private, reserved or malformed addresses.
    for (const ip of ["10.0.0.1", "192.168.1.1", "::1", "fe80::1", "not-an-ip", "0.0.0.0"])
      expect(network.lookup(ip)).toBeNull();
  });

  it("answers as a scan of the dataset does, for 500 addresses", () => {
    const rows = fs
      .readFileSync(csv, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [start, end, asn] = line.split(",");
        return { start: Number(start), end: Number(end), asn: Number(asn) };
      });
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 2 ** 32;
    for (let i = 0; i < 500; i++) {
      // Half inside known ranges (at their edges too), half anywhere.
      const row = rows[Math.floor((random() / 2 ** 32) * rows.length)]!;
      const n = i % 2 ? Math.floor(random()) : i % 4 === 0 ? row.start : row.end;
      const ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
      const found = network.lookup(ip);
      const expected = rows.find((r) => r.start <= n && n <= r.end);
      if (found) expect(found.asn, ip).toBe(expected?.asn);
      else
        expect(expected === undefined || ["10.", "127.", "192.168.", "172."].some((p) => ip.startsWith(p)), ip).toBe(
          true,
        );
    }
  });

  it("keeps the hosting list to real owners in the dataset", () => {
    const asns = new Set(
      fs
        .readFileSync(csv, "utf8")
        .split("\n")
        .map((l) => Number(l.split(",")[2])),
    );
    for (const asn of HOSTING_ASNS.keys()) expect(asns.has(asn), `AS${asn}`).toBe(true);
  });
});
