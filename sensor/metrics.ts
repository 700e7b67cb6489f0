import http from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { DROP_REASONS, type DropReason } from "./protocol/constants.ts";
import { NasTrafficCounter } from "./nas-traffic.ts";

/** How a request reached the sensor: a UDP datagram, or a RadSec (TLS over TCP) stream. */
export const TRANSPORTS = ["udp", "tls"] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Counters of the packet path; also the source of the heartbeat written to the database. */
export class SensorMetrics {
  readonly registry = new Registry();
  readonly received = new Counter({
    name: "vpnsight_radius_packets_received_total",
    help: "Requests received, by transport",
    labelNames: ["transport"],
    registers: [this.registry],
  });
  readonly accepted = new Counter({
    name: "vpnsight_radius_packets_accepted_total",
    help: "Verified Accounting-Requests answered, by transport",
    labelNames: ["transport"],
    registers: [this.registry],
  });
  readonly dropped = new Counter({
    name: "vpnsight_radius_packets_dropped_total",
    help: "Requests dropped without a reply, by reason and transport",
    labelNames: ["reason", "transport"],
    registers: [this.registry],
  });
  readonly statusServer = new Counter({
    name: "vpnsight_radius_status_server_total",
    help: "Status-Server probes (RFC 5997) answered, by transport",
    labelNames: ["transport"],
    registers: [this.registry],
  });
  readonly radsecConnections = new Gauge({
    name: "vpnsight_radsec_connections",
    help: "RadSec (TLS) connections open",
    registers: [this.registry],
  });
  readonly radsecRefused = new Counter({
    name: "vpnsight_radsec_connections_closed_total",
    help: "RadSec connections refused or closed by the sensor, by reason",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly ignored = new Counter({
    name: "vpnsight_radius_records_ignored_total",
    help: "Verified requests acknowledged but not stored (other status types)",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly unanswered = new Counter({
    name: "vpnsight_radius_unanswered_total",
    help: "Verified requests not answered because they could not be recorded (spool full)",
    registers: [this.registry],
  });
  readonly setAside = new Counter({
    name: "vpnsight_records_set_aside_total",
    help: "Answered records from the spool that the database refused, kept in spool/refused.jsonl",
    registers: [this.registry],
  });
  readonly duplicatesInFlight = new Counter({
    name: "vpnsight_radius_duplicates_in_flight_total",
    help: "Retransmissions ignored while the original was still being recorded",
    registers: [this.registry],
  });
  readonly recordsDurable = new Counter({
    name: "vpnsight_records_durable_total",
    help: "Accounting records made durable, by where",
    labelNames: ["target"],
    registers: [this.registry],
  });
  readonly spoolDepth = new Gauge({
    name: "vpnsight_spool_depth",
    help: "Batches waiting in the spool",
    registers: [this.registry],
  });
  readonly answerSeconds = new Histogram({
    name: "vpnsight_radius_answer_seconds",
    help: "From a request's arrival to its Accounting-Response, by transport",
    labelNames: ["transport"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: "vpnsight_store_batch_seconds",
    help: "Time to make a batch durable",
    labelNames: ["target"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
    registers: [this.registry],
  });

  private counts = {
    accepted: 0,
    statusServer: 0,
    dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
  };
  /** The last request answered, and the last one dropped: forged datagrams must not look like a live NAS. */
  lastAcceptedAt: Date | null = null;
  lastDroppedAt: Date | null = null;
  /** The same outcomes by source address (the NAS table, the health checks). */
  readonly bySource = new NasTrafficCounter();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const transport of TRANSPORTS) {
      for (const reason of DROP_REASONS) this.dropped.inc({ reason, transport }, 0);
      this.statusServer.inc({ transport }, 0);
    }
  }

  drop(reason: DropReason, transport: Transport, source: string): void {
    this.lastDroppedAt = new Date();
    this.bySource.record(source, reason, this.lastDroppedAt);
    this.dropped.inc({ reason, transport });
    this.counts.dropped[reason] += 1;
  }
  accept(transport: Transport, answerSeconds: number, source: string, vendor: string | null = null): void {
    this.lastAcceptedAt = new Date();
    this.bySource.record(source, "accepted", this.lastAcceptedAt, vendor);
    this.accepted.inc({ transport });
    this.answerSeconds.observe({ transport }, answerSeconds);
    this.counts.accepted += 1;
  }
  answeredStatusServer(transport: Transport, source: string): void {
    this.lastAcceptedAt = new Date();
    this.bySource.record(source, "status_server", this.lastAcceptedAt);
    this.statusServer.inc({ transport });
    this.counts.statusServer += 1;
  }
  snapshot() {
    return {
      accepted: this.counts.accepted,
      statusServer: this.counts.statusServer,
      dropped: { ...this.counts.dropped },
    };
  }
}

export function serveMetrics(
  metrics: SensorMetrics,
  port: number,
  host: string,
  health: () => { ok: boolean; detail: object },
): http.Server {
  const server = http.createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.writeHead(200, { "content-type": metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
    } else if (req.url === "/healthz") {
      const h = health();
      res.writeHead(h.ok ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: h.ok, ...h.detail }));
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(port, host);
  return server;
}
