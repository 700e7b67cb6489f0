import { certificateMatchesBinding, type PeerCertificate } from "../lib/radius/certificates.ts";
import { clientFor, type SensorConfig } from "./config.ts";
import { decodeAccountingRequest } from "./decode.ts";
import { RecordRefusedError, type DurableWriter } from "./durable-writer.ts";
import type { SensorMetrics, Transport } from "./metrics.ts";
import type { DropReason } from "./protocol/constants.ts";
import { encodeAccountingResponse, verifyRequest } from "./protocol/verify.ts";
import { normalizeAccounting, type NormalizeContext } from "./session-event.ts";

/** How a request ended: answered, dropped (why), or not answered because it could not be recorded. */
export type Outcome = "answered" | DropReason | "unanswered";

/** RFC 6614 §2.3: over TLS the shared secret is the fixed string "radsec"; the TLS session authenticates. */
export const RADSEC_SECRET = "radsec";

export interface RequestHandlerDeps {
  config: () => SensorConfig;
  writer: DurableWriter;
  metrics: SensorMetrics;
  geolocate: NormalizeContext["geolocate"];
  networkOf: NormalizeContext["networkOf"];
  /** Could an Accounting-Request be made durable now (database reachable, or room in the spool)? */
  canRecord: () => boolean;
  log: (msg: string, extra?: object) => void;
}

/** Where one request came from, as its transport saw it. */
export interface RequestSource {
  transport: Transport;
  /** The peer's IP address (IPv4 unmapped). */
  ip: string;
  /** The peer as a whole (address + port, or the TLS connection): a retransmission is recognized per peer. */
  peer: string;
  /** RadSec: the client certificate the TLS handshake verified. */
  certificate?: PeerCertificate;
}

/**
 * One request's path, whatever carried it (UDP datagram or RadSec stream): verify → decode → normalize → durable
 * store → Accounting-Response. Drops are silent and counted by reason; `reply` is called only once the record is
 * durable (or at once for a Status-Server or a record we acknowledge without storing).
 */
export class RequestHandler {
  /** Requests being recorded, by peer + Identifier + authenticator: a retransmission meanwhile is processed once. */
  private inFlight = new Set<string>();
  private pending = 0;
  private reading = true;

  constructor(private readonly deps: RequestHandlerDeps) {}

  /**
   * The request's outcome: at once for a drop, once recorded otherwise (RadSec counts its requests in flight by it,
   * and closes a stream whose packet is malformed).
   */
  handle(msg: Buffer, source: RequestSource, reply: (response: Buffer) => void): Outcome | Promise<Outcome> {
    if (!this.reading) return "unanswered";
    return this.process(msg, source, reply);
  }

  private process(msg: Buffer, source: RequestSource, reply: (response: Buffer) => void): Outcome | Promise<Outcome> {
    const drop = (reason: DropReason): Outcome => {
      this.deps.metrics.drop(reason, source.transport, source.ip);
      return reason;
    };
    const { metrics } = this.deps;
    const { transport } = source;
    metrics.received.inc({ transport });
    const receivedAt = new Date();
    const arrived = performance.now();
    const config = this.deps.config();
    if (!config.enabled) return drop("disabled");
    const client = clientFor(config, source.ip);
    if (config.clients.length > 0 && !client) return drop("unknown_client");
    if (transport === "tls" && client && !certificateMatchesBinding(client.certificate, source.certificate))
      return drop("certificate_mismatch");
    const verified = verifyRequest(msg, {
      secrets:
        transport === "tls" ? [RADSEC_SECRET] : client && client.secrets.length ? client.secrets : config.globalSecrets,
      requireMessageAuthenticator: transport === "udp" && (client?.requireMessageAuthenticator ?? false),
    });
    if (!verified.ok) return drop(verified.reason);

    if (verified.kind === "status-server") {
      // RFC 5997: "alive" must mean "would record accounting now".
      if (!this.deps.canRecord()) return drop("not_recording");
      metrics.answeredStatusServer(transport, source.ip);
      reply(encodeAccountingResponse(verified));
      return "answered";
    }

    const flightKey = `${source.peer}|${verified.identifier}|${verified.packet.toString("latin1", 4, 20)}`;
    if (this.inFlight.has(flightKey)) {
      metrics.duplicatesInFlight.inc();
      return "unanswered"; // the original's answer answers it
    }
    const answer = (vendor: string | null = null): Outcome => {
      reply(encodeAccountingResponse(verified));
      metrics.accept(transport, (performance.now() - arrived) / 1000, source.ip, vendor);
      return "answered";
    };

    let normalized: ReturnType<typeof normalizeAccounting>;
    try {
      normalized = normalizeAccounting(decodeAccountingRequest(verified.packet, verified.attributes), {
        sourceIp: source.ip,
        clientId: client?.id ?? null,
        receivedAt,
        configuredVendor: client?.vendor ?? null,
        mappings: config.mappings,
        geolocate: this.deps.geolocate,
        networkOf: this.deps.networkOf,
      });
    } catch (err) {
      // One packet must never take the sensor down: its NAS would send it again, and again.
      this.deps.log("an authentic packet could not be read: dropped as malformed", {
        source: source.ip,
        error: (err as Error).message,
      });
      return drop("malformed");
    }
    if ("ignored" in normalized) {
      metrics.ignored.inc({ reason: normalized.ignored });
      return answer();
    }
    const { record } = normalized;
    const vendor = "vendor" in record ? record.vendor : null;
    this.inFlight.add(flightKey);
    this.pending += 1;
    return this.deps.writer
      .add(record)
      .then(
        () => answer(vendor),
        (err): Outcome => {
          if (err instanceof RecordRefusedError) return drop("refused_by_database");
          metrics.unanswered.inc();
          return "unanswered";
        },
      )
      .finally(() => {
        this.inFlight.delete(flightKey);
        this.pending -= 1;
      });
  }

  /** SIGTERM, step 1: ignore new requests (a NAS retransmits them to a live sensor). */
  stopReading(): void {
    this.reading = false;
  }

  /** Resolves when every request being recorded has been answered (or refused). */
  async drained(): Promise<void> {
    while (this.pending > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
