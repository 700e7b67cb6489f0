import dgram from "node:dgram";
import { unmapIpv4 } from "../lib/net/cidr.ts";
import { clientFor, type SensorConfig } from "./config.ts";
import { decodeAccountingRequest } from "./decode.ts";
import { RecordRefusedError, type DurableWriter } from "./durable-writer.ts";
import type { SensorMetrics } from "./metrics.ts";
import { encodeAccountingResponse, verifyAccountingRequest } from "./protocol/verify.ts";
import { normalizeAccounting, type NormalizeContext } from "./session-event.ts";

export interface AccountingServerDeps {
  config: () => SensorConfig;
  writer: DurableWriter;
  metrics: SensorMetrics;
  geolocate: NormalizeContext["geolocate"];
  log: (msg: string, extra?: object) => void;
}

/**
 * The packet path: socket → verify → decode → normalize → durable store →
 * Accounting-Response. Dropped packets are silent and counted by reason.
 */
export class AccountingServer {
  private sockets: dgram.Socket[] = [];
  /** Requests being recorded, by source + Identifier + authenticator: a retransmission meanwhile is processed once. */
  private inFlight = new Set<string>();
  private pendingReplies = 0;
  private reading = true;

  constructor(private readonly deps: AccountingServerDeps) {}

  async listen(port: number, bind: string | undefined): Promise<string[]> {
    const targets: { type: "udp4" | "udp6"; address?: string }[] = bind
      ? [{ type: bind.includes(":") ? "udp6" : "udp4", address: bind }]
      : [{ type: "udp6", address: "::" }];
    for (const target of targets) {
      // A "::" socket without ipv6Only also receives IPv4 (as ::ffff:a.b.c.d) on Linux.
      const socket = dgram.createSocket({ type: target.type, ipv6Only: false, recvBufferSize: 8 * 1024 * 1024 });
      socket.on("message", (msg, rinfo) => this.onDatagram(socket, msg, rinfo));
      socket.on("error", (err) => this.deps.log("socket error", { error: err.message }));
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind(port, target.address, () => resolve());
      });
      this.sockets.push(socket);
    }
    return this.sockets.map((s) => {
      const a = s.address();
      return `${a.address}:${a.port}`;
    });
  }

  get addresses(): { address: string; port: number }[] {
    return this.sockets.map((s) => s.address());
  }

  private onDatagram(socket: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (!this.reading) return;
    const { metrics } = this.deps;
    metrics.received.inc();
    const receivedAt = new Date();
    const arrived = performance.now();
    metrics.lastPacketAt = receivedAt;
    const config = this.deps.config();
    if (!config.enabled) return metrics.drop("disabled");
    const sourceIp = unmapIpv4(rinfo.address);
    const client = clientFor(config, sourceIp);
    if (config.clients.length > 0 && !client) return metrics.drop("unknown_client");
    const verified = verifyAccountingRequest(msg, {
      secrets: client && client.secrets.length ? client.secrets : config.globalSecrets,
      requireMessageAuthenticator: client?.requireMessageAuthenticator ?? false,
    });
    if (!verified.ok) return metrics.drop(verified.reason);

    const flightKey = `${rinfo.address}|${rinfo.port}|${verified.identifier}|${verified.packet.toString("latin1", 4, 20)}`;
    if (this.inFlight.has(flightKey)) return void metrics.duplicatesInFlight.inc();
    const reply = () => {
      socket.send(encodeAccountingResponse(verified.packet, verified.secret), rinfo.port, rinfo.address);
      metrics.accept((performance.now() - arrived) / 1000);
    };

    let normalized: ReturnType<typeof normalizeAccounting>;
    try {
      normalized = normalizeAccounting(decodeAccountingRequest(verified.packet, verified.attributes), {
        sourceIp,
        receivedAt,
        configuredVendor: client?.vendor ?? null,
        mappings: config.mappings,
        geolocate: this.deps.geolocate,
      });
    } catch (err) {
      // One packet must never take the sensor down: its NAS would send it again, and again.
      this.deps.log("an authentic packet could not be read: dropped as malformed", { source: sourceIp, error: (err as Error).message });
      return metrics.drop("malformed");
    }
    if ("ignored" in normalized) {
      metrics.ignored.inc({ reason: normalized.ignored });
      return reply();
    }
    this.inFlight.add(flightKey);
    this.pendingReplies += 1;
    this.deps.writer
      .add(normalized.record)
      .then(reply, (err) => (err instanceof RecordRefusedError ? metrics.drop("refused_by_database") : metrics.unanswered.inc()))
      .finally(() => {
        this.inFlight.delete(flightKey);
        this.pendingReplies -= 1;
      });
  }

  /** SIGTERM, step 1: ignore new datagrams (the NAS retransmits them to a live sensor). */
  stopReading(): void {
    this.reading = false;
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))).map((p) => p.catch(() => {})));
  }

  /** Resolves when every request being recorded has been answered (or refused). */
  async drained(): Promise<void> {
    while (this.pendingReplies > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
