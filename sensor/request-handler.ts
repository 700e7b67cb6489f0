import { certificateMatchesBinding, type PeerCertificate } from "../lib/certificates.ts";
import { clientFor, type SensorConfig } from "./config.ts";
import { decodeAccountingRequest } from "./decode.ts";
import { RecordRefusedError, type DurableWriter } from "./durable-writer.ts";
import type { SensorMetrics, Transport } from "./metrics.ts";
import { encodeAccountingResponse, verifyRequest } from "./protocol/verify.ts";
import { normalizeAccounting, type NormalizeContext } from "./session-event.ts";

const SETTLED = Promise.resolve();

/** RFC 6614 §2.3: over TLS the shared secret is the fixed string "radsec"; the TLS session authenticates. */
export const RADSEC_SECRET = "radsec";

export interface RequestHandlerDeps {
  config: () => SensorConfig;
  writer: DurableWriter;
  metrics: SensorMetrics;
  geolocate: NormalizeContext["geolocate"];
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

  /** Resolves once the request is settled: answered, dropped or refused (RadSec counts its requests in flight by it). */
  handle(msg: Buffer, source: RequestSource, reply: (response: Buffer) => void): Promise<void> {
    if (!this.reading) return SETTLED;
    return this.process(msg, source, reply) ?? SETTLED;
  }

  /** Returns the durable write when the request was handed to the writer. */
  private process(msg: Buffer, source: RequestSource, reply: (response: Buffer) => void): Promise<void> | void {
    const { metrics } = this.deps;
    const { transport } = source;
    metrics.received.inc({ transport });
    const receivedAt = new Date();
    const arrived = performance.now();
    metrics.lastPacketAt = receivedAt;
    const config = this.deps.config();
    if (!config.enabled) return metrics.drop("disabled", transport);
    const client = clientFor(config, source.ip);
    if (config.clients.length > 0 && !client) return metrics.drop("unknown_client", transport);
    if (transport === "tls" && client && !certificateMatchesBinding(client.certificate, source.certificate)) return metrics.drop("certificate_mismatch", transport);
    const verified = verifyRequest(msg, {
      secrets: transport === "tls" ? [RADSEC_SECRET] : client && client.secrets.length ? client.secrets : config.globalSecrets,
      requireMessageAuthenticator: transport === "udp" && (client?.requireMessageAuthenticator ?? false),
    });
    if (!verified.ok) return metrics.drop(verified.reason, transport);

    if (verified.kind === "status-server") {
      // RFC 5997: "alive" must mean "would record accounting now".
      if (!this.deps.canRecord()) return metrics.drop("not_recording", transport);
      metrics.answeredStatusServer(transport);
      return reply(encodeAccountingResponse(verified));
    }

    const flightKey = `${source.peer}|${verified.identifier}|${verified.packet.toString("latin1", 4, 20)}`;
    if (this.inFlight.has(flightKey)) return void metrics.duplicatesInFlight.inc();
    const answer = () => {
      reply(encodeAccountingResponse(verified));
      metrics.accept(transport, (performance.now() - arrived) / 1000);
    };

    let normalized: ReturnType<typeof normalizeAccounting>;
    try {
      normalized = normalizeAccounting(decodeAccountingRequest(verified.packet, verified.attributes), {
        sourceIp: source.ip,
        receivedAt,
        configuredVendor: client?.vendor ?? null,
        mappings: config.mappings,
        geolocate: this.deps.geolocate,
      });
    } catch (err) {
      // One packet must never take the sensor down: its NAS would send it again, and again.
      this.deps.log("an authentic packet could not be read: dropped as malformed", { source: source.ip, error: (err as Error).message });
      return metrics.drop("malformed", transport);
    }
    if ("ignored" in normalized) {
      metrics.ignored.inc({ reason: normalized.ignored });
      return answer();
    }
    this.inFlight.add(flightKey);
    this.pending += 1;
    return this.deps.writer
      .add(normalized.record)
      .then(answer, (err) => (err instanceof RecordRefusedError ? metrics.drop("refused_by_database", transport) : metrics.unanswered.inc()))
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
