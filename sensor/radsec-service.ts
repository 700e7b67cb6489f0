import fs from "node:fs";
import type { SensorConfig } from "./config.ts";
import type { readSensorEnv } from "./config.ts";
import type { SensorMetrics } from "./metrics.ts";
import { serverCertificate, type ServerCertificate } from "./radsec-certificate.ts";
import { RadsecListener } from "./radsec-listener.ts";
import type { RequestHandler } from "./request-handler.ts";
import { hostPort } from "./udp-listener.ts";

/** What the sensors panel shows of RadSec (written with the heartbeat): null when RADSEC_PORT=0. */
export interface RadsecStatus {
  listening: boolean;
  port: number;
  fingerprint256: string;
  certificatePem: string;
  certificateSource: "file" | "generated";
  /** Where the client CA comes from; null: none yet, so RadSec is not listening. */
  clientCa: "file" | "portal" | "file+portal" | null;
  error: string | null;
}

/**
 * Turns the RadSec listener on while a client CA is configured (RADSEC_CA or the portal's upload, checked every
 * second) and off when it is removed. The server certificate is loaded or generated at start either way, so an
 * admin can download it from the portal before configuring the CA.
 */
export class RadsecService {
  private certificate: ServerCertificate | null = null;
  private fileCa: string | null = null;
  private listener: RadsecListener | null = null;
  private timer: NodeJS.Timeout | null = null;
  private error: string | null = null;
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly env: ReturnType<typeof readSensorEnv>,
    private readonly deps: {
      handler: RequestHandler;
      metrics: SensorMetrics;
      config: () => SensorConfig;
      log: (msg: string, extra?: object) => void;
    },
  ) {}

  async start(): Promise<void> {
    if (this.env.RADSEC_PORT === 0) return;
    const log = (msg: string) => this.deps.log(msg);
    this.certificate = await serverCertificate({
      certFile: this.env.RADSEC_CERT,
      keyFile: this.env.RADSEC_KEY,
      dataDir: this.env.dataDir,
      log,
    });
    if (this.env.RADSEC_CA) {
      try {
        this.fileCa = fs.readFileSync(this.env.RADSEC_CA, "utf8");
      } catch (err) {
        throw new Error(
          `RADSEC_CA: cannot read ${this.env.RADSEC_CA} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
      }
    }
    await this.sync(true);
    this.timer = setInterval(() => {
      this.syncing = this.syncing.then(() => this.sync(false));
    }, 1000);
  }

  private clientCa(): string | null {
    const portal = this.deps.config().radsecClientCa;
    const parts = [this.fileCa, portal].filter((p): p is string => Boolean(p));
    return parts.length ? parts.join("\n") : null;
  }

  private async sync(starting: boolean): Promise<void> {
    const ca = this.clientCa();
    try {
      if (ca && !this.listener) {
        const listener = new RadsecListener(
          {
            port: this.env.RADSEC_PORT,
            bind: this.env.RADIUS_BIND,
            limits: {
              maxConnections: this.env.RADSEC_MAX_CONNECTIONS,
              maxInFlight: this.env.RADSEC_MAX_IN_FLIGHT,
              idleTimeoutMs: this.env.RADSEC_IDLE_TIMEOUT_S,
              handshakeTimeoutMs: this.env.RADSEC_HANDSHAKE_TIMEOUT_S,
            },
            certificate: this.certificate!,
            ...this.deps,
          },
          ca,
        );
        await listener.start();
        this.listener = listener;
        this.error = null;
        this.deps.log(`RadSec: listening on TCP port ${this.env.RADSEC_PORT}`, {
          fingerprint256: this.certificate!.fingerprint256,
        });
      } else if (ca && this.listener) {
        this.listener.setClientCa(ca);
      } else if (!ca && this.listener) {
        await this.listener.close();
        this.listener = null;
        this.deps.log("RadSec: no client CA any more: stopped listening");
      }
    } catch (err) {
      if (starting && /in use/.test((err as Error).message)) throw err;
      const message = (err as Error).message;
      if (message !== this.error) this.deps.log("RadSec: cannot listen", { error: message });
      this.error = message;
    }
  }

  get listening(): string[] {
    return this.listener ? this.listener.addresses.map((a) => `tls ${hostPort(a, this.env.RADSEC_PORT)}`) : [];
  }

  get status(): RadsecStatus | null {
    if (!this.certificate) return null;
    const portal = Boolean(this.deps.config().radsecClientCa);
    return {
      listening: Boolean(this.listener),
      port: this.env.RADSEC_PORT,
      fingerprint256: this.certificate.fingerprint256,
      certificatePem: this.certificate.certPem,
      certificateSource: this.certificate.source,
      clientCa: this.fileCa && portal ? "file+portal" : this.fileCa ? "file" : portal ? "portal" : null,
      error: this.error,
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    await this.listener?.close();
  }
}
