// Real RADIUS peers, from Debian, configured in a temp dir on loopback and started by the tests themselves:
// FreeRADIUS 3.2 as an accounting proxy (UDP or TLS home server) and radsecproxy (UDP in, TLS out).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const FREERADIUS_BIN = "/usr/sbin/freeradius";
export const RADSECPROXY_BIN = "/usr/sbin/radsecproxy";
export const STOCK_RADDB = "/etc/freeradius/3.0";

export interface Peer {
  child: ChildProcess;
  logs: () => string;
  stop: () => Promise<void>;
}

export async function startPeer(bin: string, args: string[], ready: RegExp, what: string): Promise<Peer> {
  let output = "";
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 20_000;
  while (!ready.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${what} did not start:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    logs: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * A copy of Debian's stock FreeRADIUS configuration with no sites and only the modules accounting needs
 * (authentication modules want Auth-Type sections). Also used by the benchmark.
 */
export function stockRaddbForAccounting(dir: string): string {
  const raddb = path.join(dir, "raddb");
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(raddb, { recursive: true, force: true });
  spawnSync("cp", ["-a", STOCK_RADDB, raddb]);
  fs.chmodSync(dir, 0o755);
  for (const f of fs.readdirSync(path.join(raddb, "sites-enabled"))) fs.rmSync(path.join(raddb, "sites-enabled", f));
  const keep = new Set(["always", "expr", "preprocess", "utf8", "unpack", "attr_filter"]);
  for (const f of fs.readdirSync(path.join(raddb, "mods-enabled")))
    if (!keep.has(f)) fs.rmSync(path.join(raddb, "mods-enabled", f));
  return raddb;
}

/**
 * One accounting-only virtual server on 127.0.0.1 (`sites-enabled/<name>`) and radclient on loopback as its only
 * client: what the benchmark and the proxy tests both run.
 */
export function writeAccountingSite(
  raddb: string,
  site: { name: string; port: number; clientSecret: string; preacct: string[]; accounting: string },
): void {
  const preacct = site.preacct.map((line) => `\t\t${line}`).join("\n");
  fs.writeFileSync(
    path.join(raddb, "sites-enabled", site.name),
    `server ${site.name} {\n\tlisten {\n\t\ttype = acct\n\t\tipaddr = 127.0.0.1\n\t\tport = ${site.port}\n\t}\n\tpreacct {\n${preacct}\n\t}\n\taccounting {\n\t\t${site.accounting}\n\t}\n}\n`,
  );
  fs.writeFileSync(
    path.join(raddb, "clients.conf"),
    `client radclient {\n\tipaddr = 127.0.0.1\n\tsecret = ${site.clientSecret}\n}\n`,
  );
}

export type HomeServer =
  | { proto: "udp"; port: number; secret: string }
  | { proto: "tls"; port: number; certFile: string; keyFile: string; caFile: string };

/**
 * FreeRADIUS as the accounting proxy a site already runs: radclient → FreeRADIUS (UDP `listenPort`, `clientSecret`)
 * → our sensor as its home server, with the stock proxy.conf's status_check = status-server and the given timers.
 */
export async function startFreeradiusProxy(opts: {
  dir: string;
  listenPort: number;
  clientSecret: string;
  home: HomeServer;
  timers?: {
    responseWindow: number;
    zombiePeriod: number;
    checkInterval: number;
    checkTimeout: number;
    numAnswersToAlive: number;
  };
}): Promise<Peer> {
  const raddb = stockRaddbForAccounting(opts.dir);
  const t = opts.timers ?? {
    responseWindow: 20,
    zombiePeriod: 40,
    checkInterval: 30,
    checkTimeout: 4,
    numAnswersToAlive: 3,
  };
  writeAccountingSite(raddb, {
    name: "proxy",
    port: opts.listenPort,
    clientSecret: opts.clientSecret,
    preacct: ["update control {", '\t&Proxy-To-Realm := "sensor"', "}"],
    accounting: "ok",
  });
  const home = opts.home;
  const transport =
    home.proto === "udp"
      ? `\tproto = udp\n\tsecret = ${home.secret}\n`
      : `\tproto = tcp\n\tsecret = radsec\n\ttls {\n\t\tcertificate_file = ${home.certFile}\n\t\tprivate_key_file = ${home.keyFile}\n\t\tca_file = ${home.caFile}\n\t\tfragment_size = 8192\n\t\tconnect_timeout = 5\n\t}\n`;
  fs.writeFileSync(
    path.join(raddb, "proxy.conf"),
    `proxy server {
\tdefault_fallback = no
}
home_server sensor {
\ttype = acct
\tipaddr = 127.0.0.1
\tport = ${home.port}
${transport}\tresponse_window = ${t.responseWindow}
\tzombie_period = ${t.zombiePeriod}
\tstatus_check = status-server
\tcheck_interval = ${t.checkInterval}
\tcheck_timeout = ${t.checkTimeout}
\tnum_answers_to_alive = ${t.numAnswersToAlive}
}
home_server_pool sensor_pool {
\ttype = fail-over
\thome_server = sensor
}
realm sensor {
\tacct_pool = sensor_pool
\tnostrip
}
`,
  );
  return startPeer(FREERADIUS_BIN, ["-f", "-l", "stdout", "-d", raddb], /Ready to process requests/, "FreeRADIUS");
}

/** radsecproxy: UDP accounting from radclient in (`listenPort`, `clientSecret`), RadSec to the sensor out. */
export async function startRadsecproxy(opts: {
  dir: string;
  listenPort: number;
  clientSecret: string;
  sensorPort: number;
  certFile: string;
  keyFile: string;
  caFile: string;
}): Promise<Peer> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const conf = path.join(opts.dir, "radsecproxy.conf");
  fs.writeFileSync(
    conf,
    `ListenUDP 127.0.0.1:${opts.listenPort}
LogLevel 4
tls sensor {
    CACertificateFile ${opts.caFile}
    CertificateFile ${opts.certFile}
    CertificateKeyFile ${opts.keyFile}
}
client radclient {
    host 127.0.0.1
    type udp
    secret ${opts.clientSecret}
}
server sensor {
    host 127.0.0.1
    port ${opts.sensorPort}
    type tls
    tls sensor
    secret radsec
    CertificateNameCheck off
    StatusServer on
}
realm * {
    server sensor
    accountingServer sensor
}
`,
  );
  return startPeer(
    RADSECPROXY_BIN,
    ["-f", "-c", conf, "-d", "4"],
    /radsecproxy .* starting|Listening|startup/i,
    "radsecproxy",
  );
}
