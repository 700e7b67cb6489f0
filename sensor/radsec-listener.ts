import net from "node:net";
import tls from "node:tls";
import { certificateMatchesBinding, peerCertificateOf, type PeerCertificate } from "../lib/radius/certificates.ts";
import { unmapIpv4 } from "../lib/net/cidr.ts";
import { clientFor, type SensorConfig } from "./config.ts";
import type { SensorMetrics } from "./metrics.ts";
import { HEADER_LENGTH, MAX_PACKET_LENGTH } from "./protocol/constants.ts";
import type { ServerCertificate } from "./radsec-certificate.ts";
import type { Outcome, RequestHandler } from "./request-handler.ts";
import { ADDRESS_SYNC_MS, type BindSpec } from "./udp-listener.ts";

export interface RadsecLimits {
  maxConnections: number;
  /** Requests of one connection being recorded at once; beyond it the connection is not read until some are answered. */
  maxInFlight: number;
  idleTimeoutMs: number;
  handshakeTimeoutMs: number;
}

export interface RadsecListenerDeps {
  port: number;
  bind: BindSpec;
  limits: RadsecLimits;
  certificate: ServerCertificate;
  handler: RequestHandler;
  config: () => SensorConfig;
  metrics: SensorMetrics;
  log: (msg: string, extra?: object) => void;
}

/**
 * RADIUS over TLS (RFC 6614): TCP + TLS 1.2/1.3 with mutual authentication against the configured client CA,
 * RADIUS packets framed by their Length field, many in flight per connection and answered in any order, each
 * through the same RequestHandler as UDP (so no answer before the record is durable).
 */
export class RadsecListener {
  private readonly tlsServer: tls.Server;
  private readonly servers = new Map<string, net.Server>();
  private open = new Set<net.Socket>();
  private timer: NodeJS.Timeout | null = null;
  private clientCa: string;

  constructor(
    private readonly deps: RadsecListenerDeps,
    clientCa: string,
  ) {
    this.clientCa = clientCa;
    this.tlsServer = tls.createServer({
      ...this.secureContextOptions(clientCa),
      requestCert: true,
      rejectUnauthorized: true,
      handshakeTimeout: deps.limits.handshakeTimeoutMs,
    });
    this.tlsServer.on("secureConnection", (socket) => this.onConnection(socket));
    this.tlsServer.on("tlsClientError", (err, socket) => {
      deps.metrics.radsecRefused.inc({
        reason: /timeout|timed out/i.test(err.message) ? "handshake_timeout" : "handshake",
      });
      deps.log("RadSec: TLS handshake refused", { peer: socket.remoteAddress, error: err.message });
      socket.destroy();
    });
  }

  private secureContextOptions(clientCa: string): tls.SecureContextOptions {
    return {
      cert: this.deps.certificate.certPem,
      key: this.deps.certificate.keyPem,
      ca: clientCa,
      minVersion: "TLSv1.2",
    };
  }

  /** A new client CA (uploaded in the portal) applies to the next handshakes; open connections stay. */
  setClientCa(clientCa: string): void {
    if (clientCa === this.clientCa) return;
    this.clientCa = clientCa;
    this.tlsServer.setSecureContext(this.secureContextOptions(clientCa));
    this.deps.log("RadSec: client CA changed");
  }

  async start(): Promise<void> {
    await this.sync(true);
    // Listed addresses not on this host yet (a virtual IP) are tried again, as for UDP.
    if ("addresses" in this.deps.bind) this.timer = setInterval(() => void this.sync(false), ADDRESS_SYNC_MS);
  }

  get addresses(): string[] {
    return [...this.servers.keys()];
  }

  private async sync(starting: boolean): Promise<void> {
    const { bind } = this.deps;
    const wanted = "addresses" in bind ? bind.addresses : [bind.all === "ipv4" ? "0.0.0.0" : "::"];
    for (const address of wanted) {
      if (this.servers.has(address)) continue;
      const server = net.createServer((socket) => this.onTcp(socket));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(
            { port: this.deps.port, host: address, ipv6Only: address !== "::" && address.includes(":") },
            () => resolve(),
          );
        });
        server.removeAllListeners("error");
        server.on("error", (err) => this.deps.log("RadSec: listener error", { address, error: err.message }));
        this.servers.set(address, server);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (starting && code === "EADDRINUSE")
          throw new Error(`RadSec: TCP port ${this.deps.port} on ${address} is in use (RADSEC_PORT)`);
        if (starting)
          this.deps.log(`RadSec: cannot listen on ${address}:${this.deps.port} yet; retrying`, { error: code });
      }
    }
  }

  /** Bounds before any TLS work: a connection over the limit costs one accept and a close. */
  private onTcp(socket: net.Socket): void {
    const { limits, metrics } = this.deps;
    if (this.open.size >= limits.maxConnections) {
      metrics.radsecRefused.inc({ reason: "too_many_connections" });
      socket.destroy();
      return;
    }
    this.open.add(socket);
    metrics.radsecConnections.set(this.open.size);
    socket.once("close", () => {
      this.open.delete(socket);
      metrics.radsecConnections.set(this.open.size);
    });
    socket.on("error", () => socket.destroy());
    this.tlsServer.emit("connection", socket);
  }

  private onConnection(socket: tls.TLSSocket): void {
    const { limits, metrics, handler, log } = this.deps;
    const ip = unmapIpv4(socket.remoteAddress ?? "");
    const peerCert = socket.getPeerX509Certificate();
    const certificate: PeerCertificate | undefined = peerCert ? peerCertificateOf(peerCert) : undefined;
    const close = (reason: string, extra: object = {}) => {
      metrics.radsecRefused.inc({ reason });
      log(`RadSec: connection closed (${reason})`, { peer: ip, ...extra });
      socket.destroy();
    };
    // The RADIUS client list applies to TLS peers too; a client bound to a certificate accepts only that one.
    const config = this.deps.config();
    const client = clientFor(config, ip);
    if (config.clients.length > 0 && !client) return close("unknown_client");
    if (client && !certificateMatchesBinding(client.certificate, certificate))
      return close("certificate_mismatch", { client: client.name });

    socket.setTimeout(limits.idleTimeoutMs, () => close("idle_timeout"));
    socket.on("error", (err) => {
      log("RadSec: connection error", { peer: ip, error: err.message });
      socket.destroy();
    });
    const peer = `tls|${ip}|${socket.remotePort}`;
    let buffered: Buffer = Buffer.alloc(0);
    let inFlight = 0;
    socket.on("data", (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      while (buffered.length >= 4) {
        const length = buffered.readUInt16BE(2);
        // A Length no RADIUS packet can have means the stream is not RADIUS (or lost its framing): only this connection ends.
        if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH) return close("malformed_stream", { length });
        if (buffered.length < length) break;
        const packet = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        inFlight += 1;
        if (inFlight >= limits.maxInFlight) socket.pause();
        const settled = (outcome: Outcome) => {
          inFlight -= 1;
          // Attributes that do not tile the Length: the stream lost its framing (e.g. a Length longer than the packet).
          if (outcome === "malformed") return close("malformed_stream");
          if (inFlight < limits.maxInFlight && socket.isPaused()) socket.resume();
        };
        const outcome = handler.handle(packet, { transport: "tls", ip, peer, certificate }, (response) => {
          if (!socket.destroyed) socket.write(response);
        });
        if (typeof outcome === "string") {
          settled(outcome);
          if (socket.destroyed) return;
        } else void outcome.then(settled);
      }
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.servers.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const socket of this.open) socket.destroy();
  }
}
