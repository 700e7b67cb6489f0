import dgram from "node:dgram";
import net from "node:net";
import os from "node:os";
import { unmapIpv4 } from "../lib/net/cidr.ts";
import type { RequestHandler } from "./request-handler.ts";

/** How often the host's addresses are read again: a virtual IP moving here is served within this (+ a bind). */
export const ADDRESS_SYNC_MS = 2000;

/** What RADIUS_BIND names: every local address (of both families or of one), or a list of addresses. */
export type BindSpec = { all: "any" | "ipv4" | "ipv6" } | { addresses: string[] };

/** RADIUS_BIND: unset or "::" → every local address; "0.0.0.0" → every IPv4 one; else a comma-separated list. */
export function parseBindSpec(text: string | undefined): BindSpec {
  const items = (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length || items.includes("::")) return { all: "any" };
  if (items.length === 1 && items[0] === "0.0.0.0") return { all: "ipv4" };
  const bad = items.filter((a) => !net.isIP(a.split("%")[0]!));
  if (bad.length)
    throw new Error(`${bad.join(", ")} is not an IP address (a comma-separated list of addresses, or :: for all).`);
  return { addresses: [...new Set(items.map((a) => a.toLowerCase()))] };
}

/** The host's addresses now, as bindable strings (an IPv6 link-local one with its zone: fe80::1%eth0). */
export function localAddresses(family: "any" | "ipv4" | "ipv6" = "any"): string[] {
  const out: string[] = [];
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === "IPv4" && family !== "ipv6") out.push(a.address);
      if (a.family === "IPv6" && family !== "ipv4")
        out.push(a.address.startsWith("fe80:") ? `${a.address}%${name}` : a.address);
    }
  }
  return out;
}

/**
 * RADIUS over UDP with one socket per local address, so each reply leaves from the address its request was sent to
 * (Node's dgram has no IP_PKTINFO; a socket bound to :: lets the kernel choose the reply's source, which NASes and
 * radclient reject on multi-homed hosts). The set of sockets follows the host's addresses every ADDRESS_SYNC_MS.
 */
export class UdpListener {
  private sockets = new Map<string, dgram.Socket>();
  /** Addresses that could not be bound, with the error last logged for each (logged once per error). */
  private failed = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly port: number,
    private readonly bind: BindSpec,
    private readonly handler: RequestHandler,
    private readonly log: (msg: string, extra?: object) => void,
    private readonly onChange: () => void = () => {},
  ) {}

  /** Binds every wanted address; a port already in use stops the start (a second sensor, another RADIUS server). */
  async start(): Promise<void> {
    await this.sync(true);
    this.timer = setInterval(() => {
      this.syncing = this.syncing.then(() => this.sync(false));
    }, ADDRESS_SYNC_MS);
  }

  get addresses(): string[] {
    return [...this.sockets.keys()];
  }

  private wanted(): string[] {
    return "all" in this.bind ? localAddresses(this.bind.all) : this.bind.addresses;
  }

  private async sync(starting: boolean): Promise<void> {
    const wanted = new Set(this.wanted());
    let changed = false;
    for (const [address, socket] of this.sockets) {
      if (wanted.has(address)) continue;
      this.sockets.delete(address);
      socket.close();
      changed = true;
      this.log(`stopped serving RADIUS accounting on ${address} (no longer an address of this host)`);
    }
    for (const address of wanted) {
      if (this.sockets.has(address)) continue;
      try {
        this.sockets.set(address, await this.open(address));
        this.failed.delete(address);
        changed = true;
        if (!starting) this.log(`serving RADIUS accounting on ${address}:${this.port} (new address)`);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (starting && e.code === "EADDRINUSE")
          throw new Error(`UDP port ${this.port} on ${address} is in use (another RADIUS server or sensor?)`);
        if (this.failed.get(address) !== e.code) {
          this.failed.set(address, e.code ?? e.message);
          // EADDRNOTAVAIL: a listed address not (yet) on this host, e.g. a virtual IP held by the peer; retried.
          this.log(
            `cannot serve RADIUS accounting on ${address}:${this.port} yet; retrying every ${ADDRESS_SYNC_MS / 1000} s`,
            { error: e.code ?? e.message },
          );
        }
      }
    }
    if (changed) this.onChange();
  }

  private open(address: string): Promise<dgram.Socket> {
    const type = net.isIPv6(address.split("%")[0]!) ? "udp6" : "udp4";
    // IPv6 sockets only see IPv6: an IPv4 address has its own socket.
    const socket = dgram.createSocket({
      type,
      ...(type === "udp6" ? { ipv6Only: true } : {}),
      recvBufferSize: 8 * 1024 * 1024,
    });
    return new Promise((resolve, reject) => {
      socket.once("error", (err) => {
        socket.close();
        reject(err);
      });
      socket.bind(this.port, address, () => {
        socket.removeAllListeners("error");
        socket.on("error", (err) => this.log("socket error", { address, error: err.message }));
        socket.on("message", (msg, rinfo) => {
          const ip = unmapIpv4(rinfo.address);
          this.handler.handle(msg, { transport: "udp", ip, peer: `${rinfo.address}|${rinfo.port}` }, (response) =>
            socket.send(response, rinfo.port, rinfo.address),
          );
        });
        resolve(socket);
      });
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    const sockets = [...this.sockets.values()];
    this.sockets.clear();
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** "127.0.0.1:1813", "[::1]:1813". */
export const hostPort = (address: string, port: number) =>
  address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
