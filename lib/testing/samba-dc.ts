// A real Active Directory domain controller for tests: Samba, provisioned into a temp directory (CONTOSO.TEST),
// serving LDAPS on 127.0.0.1:636 with a certificate for "localhost" from a throw-away CA (so no name resolution is
// needed). Simple binds over plain LDAP are refused, as on a hardened AD. One per machine: it takes the LDAP ports.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createTestCa } from "./test-pki.ts";

export const SAMBA_ADMIN_PASSWORD = "Adm1n!Passw0rd-test";

export interface SambaDc {
  url: string;
  caPem: string;
  baseDn: string;
  adminUpn: string;
  /** samba-tool against the provisioned directory (offline or live). */
  tool(args: string[]): string;
  stop(): Promise<void>;
}

/** The Settings › Directory input that points at this DC, binding as `user` (a sAMAccountName created in setup). */
export const directorySettingsFor = (dc: SambaDc, user: string, password: string) => ({
  enabled: true,
  urls: [dc.url],
  bindUser: `${user}@contoso.test`,
  bindPassword: password,
  baseDn: dc.baseDn,
  caCertificate: dc.caPem,
});

/** LDIF that adds `count` plain user accounts prefix00000… (enabled, no password: they never sign in). */
export function bulkUsersLdif(count: number, prefix: string, baseDn = "DC=contoso,DC=test"): string {
  let text = "";
  for (let i = 0; i < count; i++) {
    const sam = `${prefix}${String(i).padStart(5, "0")}`;
    text += `dn: CN=${sam},CN=Users,${baseDn}\nchangetype: add\nobjectClass: user\nsAMAccountName: ${sam}\n`;
    text += `userPrincipalName: ${sam}@contoso.test\ndisplayName: ${prefix} ${i}\ndepartment: Dept ${i % 20}\n\n`;
  }
  return text;
}

/** The password of the people contosoStaff creates. */
export const STAFF_PASSWORD = "User!Passw0rd-1234";

/**
 * The people most directory tests need: the service account svc-vpnsight, Alice Smith (CN=Alice Smith; mail
 * alice.smith@contoso.test, Finance, Controller), bob (disabled) and carol (a Domain Admin through the nested group
 * VPN Admins).
 */
export function contosoStaff(tool: OfflineDirectory["tool"]): void {
  const password = STAFF_PASSWORD;
  tool(["user", "create", "svc-vpnsight", password]);
  tool([
    "user",
    "create",
    "alice",
    password,
    "--given-name=Alice",
    "--surname=Smith",
    "--mail-address=alice.smith@contoso.test",
    "--department=Finance",
    "--job-title=Controller",
  ]);
  tool(["user", "create", "bob", password]);
  tool(["user", "disable", "bob"]);
  tool(["user", "create", "carol", password]);
  tool(["group", "add", "VPN Admins"]);
  tool(["group", "addmembers", "VPN Admins", "carol"]);
  tool(["group", "addmembers", "Domain Admins", "VPN Admins"]);
}

/** What a test's setup may do before the DC starts: samba-tool, and LDIF (add/modify records) into sam.ldb. */
export interface OfflineDirectory {
  tool(args: string[]): string;
  ldif(text: string): void;
}

export const sambaInstalled = () => fs.existsSync("/usr/sbin/samba") && fs.existsSync("/usr/bin/samba-tool");

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });

const LOCK = path.join(os.tmpdir(), "vpnsight-samba-dc.lock");
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One DC at a time on this machine (it takes the LDAP ports): test files that need one wait their turn. */
async function takeLock(): Promise<() => void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(LOCK, { force: true });
    } catch {
      const holder = Number(fs.readFileSync(LOCK, "utf8") || 0);
      if (!holder || !alive(holder)) fs.rmSync(LOCK, { force: true });
      else if (Date.now() > deadline) throw new Error(`another Samba DC (pid ${holder}) holds ${LOCK}`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

type Setup = (tool: OfflineDirectory["tool"], ldif: OfflineDirectory["ldif"]) => void;

export interface StartOptions {
  /**
   * A directory kept between runs (the benchmark's 20,000 users take minutes to add): provisioned and set up on
   * first use, then started as it is. Default: a temp directory, removed by stop().
   */
  keepIn?: string;
}

export async function startSambaDc(setup: Setup = () => {}, opts: StartOptions = {}): Promise<SambaDc> {
  const release = await takeLock();
  try {
    return await startLocked(setup, release, opts.keepIn);
  } catch (err) {
    release();
    throw err;
  }
}

/** A new domain in `dir`, with our TLS certificate and only the LDAP service, then the test's own setup. */
async function provision(
  dir: string,
  conf: string,
  tls: string,
  tool: OfflineDirectory["tool"],
  setup: Setup,
  kept: boolean,
): Promise<void> {
  run("samba-tool", [
    "domain",
    "provision",
    `--targetdir=${dir}`,
    "--realm=CONTOSO.TEST",
    "--domain=CONTOSO",
    "--server-role=dc",
    "--dns-backend=NONE",
    "--use-rfc2307",
    `--adminpass=${SAMBA_ADMIN_PASSWORD}`,
    "--host-name=dc1",
    "--option=interfaces=lo",
    "--option=bind interfaces only=yes",
    // LMDB adds users about twice as fast as the default TDB (a kept directory is the benchmark's 20,000 users).
    ...(kept ? ["--backend-store=mdb"] : []),
  ]);
  const ca = await createTestCa("VPN Sight test AD CA");
  const leaf = await ca.issue("localhost", { dns: ["dc1.contoso.test"] });
  fs.mkdirSync(tls, { mode: 0o700 });
  fs.writeFileSync(path.join(tls, "ca.pem"), ca.certPem);
  fs.writeFileSync(path.join(tls, "cert.pem"), leaf.certPem);
  fs.writeFileSync(path.join(tls, "key.pem"), leaf.keyPem, { mode: 0o600 });
  // Only the LDAP service (what the product talks to), with our certificate; logs inside the directory.
  const text = fs
    .readFileSync(conf, "utf8")
    .replace(/^\s*server services = .*$/m, "\tserver services = ldap")
    .replace(/^\s*log file = .*$/m, `\tlog file = ${dir}/log.%m`)
    .replace(
      "[global]",
      `[global]\n\ttls enabled = yes\n\ttls keyfile = ${tls}/key.pem\n\ttls certfile = ${tls}/cert.pem\n\ttls cafile = ${tls}/ca.pem`,
    );
  fs.writeFileSync(conf, text);
  const ldif = (text: string) => {
    const file = path.join(dir, "setup.ldif");
    fs.writeFileSync(file, text);
    // Offline, straight into the database file through Samba's own modules (GUIDs, SIDs, USNs as on a live add).
    run("ldbmodify", ["--nosync", "-H", path.join(dir, "private", "sam.ldb"), file]);
  };
  setup(tool, ldif);
}

async function startLocked(setup: Setup, release: () => void, keepIn?: string): Promise<SambaDc> {
  const ready = keepIn && fs.existsSync(path.join(keepIn, "ready"));
  const dir = keepIn ? path.resolve(keepIn) : fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-samba-"));
  const conf = path.join(dir, "etc", "smb.conf");
  const tls = path.join(dir, "tls");
  const tool = (args: string[]) => run("samba-tool", [...args, "-s", conf]);
  if (!ready) {
    if (keepIn) fs.rmSync(dir, { recursive: true, force: true });
    await provision(dir, conf, tls, tool, setup, Boolean(keepIn));
    if (keepIn) fs.writeFileSync(path.join(dir, "ready"), new Date().toISOString());
  }
  let output = "";
  const child: ChildProcess = spawn("samba", ["-i", "-M", "single", "-s", conf], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 30_000;
  while (!(await portOpen(636))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`samba did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: "ldaps://localhost:636",
    caPem: fs.readFileSync(path.join(tls, "ca.pem"), "utf8"),
    baseDn: "DC=contoso,DC=test",
    adminUpn: "Administrator@contoso.test",
    tool,
    async stop() {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 5000).unref();
        });
      }
      if (!keepIn) fs.rmSync(dir, { recursive: true, force: true });
      release();
    },
  };
}
