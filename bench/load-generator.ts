// A NAS-like RADIUS accounting load generator, independent of the sensor's code:
// realistic sessions (Start → Interim-Update(s) → Stop) from many identities and NAS,
// mixed vendor shapes, public IPv4/IPv6, Event-Timestamp; a bounded window of
// outstanding requests and NAS-style retransmission (timeout, 3 tries).
import { hash } from "node:crypto";
import dgram from "node:dgram";
import tls from "node:tls";
import { parseArgs } from "node:util";

export interface LoadOptions {
  host: string;
  port: number;
  secret: string;
  /** Seconds of sending. */
  duration: number;
  /** Requests per second; 0 = flat out (limited by the window). */
  rate: number;
  /** Outstanding requests at most. */
  window: number;
  timeoutMs: number;
  tries: number;
  identities: number;
  nas: number;
  interimsPerSession: number;
  /** Distinguishes runs so session ids never collide between runs on one database. */
  runId: string;
  /**
   * Sessions in progress at once (default 4,096). A NAS fleet has thousands, and one session's
   * records come minutes apart; a small pool would put several records of one session in flight
   * together, which real NASes do not do.
   */
  concurrentSessions?: number;
  /**
   * RadSec instead of UDP: TLS connections (one per 256 outstanding requests, as for UDP sockets), packets framed by
   * their Length; the secret is then "radsec" (RFC 6614).
   */
  tls?: { cert: string; key: string; ca: string };
  /** Each transmission sent this many times at once (a retransmission storm drill); default 1. */
  copies?: number;
  /**
   * Fraction of answered records the NAS sends again as a new request (new Identifier,
   * Acct-Delay-Time 5), as a NAS does when it re-queues accounting it is unsure of.
   */
  resendFraction?: number;
}

export interface LoadResult {
  sent: number;
  answered: number;
  timedOut: number;
  retransmissions: number;
  seconds: number;
  answeredPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** "sessionId:kind" of every answered record (for the nothing-lost check). */
  answeredRecords: Set<string>;
  sessionsAnswered: Set<string>;
  /** Records sent again as new requests (resendFraction). */
  resent: number;
}

// Small buffers come from Node's pool (allocUnsafe, Buffer.from): a zero-filled Buffer.alloc or a
// digest Buffer per packet is an ArrayBuffer of its own, and their GC cost showed in the profile.
type Attr = [number, Buffer];
const s = (type: number, v: string): Attr => [type, Buffer.from(v)];
const u32 = (type: number, v: number): Attr => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0);
  return [type, b];
};
const ip4 = (type: number, v: string): Attr => [type, Buffer.from(v.split(".").map(Number))];
const vsa = (vendor: number, type: number, v: string): Attr => {
  const value = Buffer.from(v);
  const b = Buffer.allocUnsafe(6 + value.length);
  b.writeUInt32BE(vendor);
  b[4] = type;
  b[5] = value.length + 2;
  value.copy(b, 6);
  return [26, b];
};

const scratch = Buffer.alloc(8192);

function encode(secret: string, identifier: number, attrs: Attr[]): Buffer {
  let at = 20;
  for (const [type, value] of attrs) {
    scratch[at] = type;
    scratch[at + 1] = value.length + 2;
    at += 2 + value.copy(scratch, at + 2);
  }
  scratch[0] = 4;
  scratch[1] = identifier;
  scratch.writeUInt16BE(at, 2);
  scratch.fill(0, 4, 20);
  const length = at + scratch.write(secret, at, "latin1");
  scratch.write(hash("md5", scratch.subarray(0, length), "hex"), 4, "hex");
  return Buffer.from(scratch.subarray(0, at));
}

/** The Accounting-Response's authenticator: MD5(Code | Id | Length | Request Authenticator | Attributes | Secret). */
function responseAuthenticator(response: Buffer, request: Buffer, secret: string): string {
  const length = response.copy(scratch, 0);
  request.copy(scratch, 4, 4, 20);
  return hash("md5", scratch.subarray(0, length + scratch.write(secret, length, "latin1")), "base64");
}

function publicIp(n: number): { v4: string; v6: string } {
  // Spread over real public ranges so geolocation has work to do.
  const a = [81, 82, 88, 90, 109, 151, 176, 185, 195, 212, 213, 217][n % 12]!;
  return {
    v4: `${a}.${(n >> 4) & 255}.${(n >> 12) & 255}.${(n % 250) + 1}`,
    v6: `2a01:${(n % 4096).toString(16)}::${((n >> 12) % 65535).toString(16)}`,
  };
}

const VENDOR_SHAPES: ((ip: { v4: string; v6: string }, user: string, n: number) => Attr[])[] = [
  (ip, user) => [s(1, user), s(31, ip.v4), vsa(3076, 146, "RemoteAccess"), vsa(9, 1, `ip:source-ip=${ip.v4}`)], // Cisco ASA
  (ip, user) => [s(1, `CONTOSO\\${user.split("@")[0]}`), s(31, ip.v4), vsa(311, 34, "LAPTOP")], // Microsoft RRAS
  (ip, user) => [s(1, user), [66, Buffer.concat([Buffer.from([0]), Buffer.from(ip.v6)])], vsa(3375, 12, "apm")], // F5, IPv6
  (ip, user) => [s(1, user), [66, Buffer.from(ip.v4)], vsa(2620, 229, "vpn")], // Check Point
];

interface Session {
  id: string;
  step: number;
  n: number;
}

/**
 * The next request of a pool of concurrent sessions: Start, n × Interim, Stop; then a new session.
 * Like a NAS, it sends a session's next record only once the previous one was answered (or given
 * up): interims are minutes apart, so one session never has two records in flight.
 */
class SessionMix {
  private ready: Session[] = [];
  private busy = 0;
  private counter = 0;
  constructor(private readonly o: LoadOptions) {}
  private get steps() {
    return this.o.interimsPerSession + 2;
  }
  /** `owner` is the session itself: released when this record is answered or given up. */
  next(
    secret: string,
    identifier: number,
  ): { packet: Buffer; attrs: Attr[]; record: string; session: string; owner: Session } {
    if (!this.ready.length || this.ready.length + this.busy < (this.o.concurrentSessions ?? 4096)) {
      this.ready.push({ id: `${this.o.runId}-${this.counter}`, step: 0, n: this.counter++ });
    }
    const index = Math.floor(Math.random() * this.ready.length);
    const session = this.ready[index]!;
    this.ready[index] = this.ready[this.ready.length - 1]!;
    this.ready.pop();
    this.busy += 1;
    const kind = session.step === 0 ? 1 : session.step === this.steps - 1 ? 2 : 3;
    const user = `user${session.n % this.o.identities}@contoso.com`;
    const nas = `10.${(session.n % this.o.nas) >> 8}.${(session.n % this.o.nas) & 255}.1`;
    const now = Math.floor(Date.now() / 1000);
    const elapsed = session.step * 300;
    const attrs: Attr[] = [
      ...VENDOR_SHAPES[session.n % VENDOR_SHAPES.length]!(publicIp(session.n % 5000), user, session.n),
      u32(40, kind),
      s(44, session.id),
      ip4(4, nas),
      ip4(8, `100.64.${(session.n >> 8) & 255}.${session.n & 255}`),
      u32(55, now),
      u32(85, 300),
      ...(kind !== 1 ? [u32(46, elapsed), u32(42, elapsed * 1000), u32(43, elapsed * 5000)] : []),
      ...(kind === 2 ? [u32(49, 1)] : []),
    ];
    const record = `${session.id}:${kind === 1 ? "start" : kind === 2 ? "stop" : `interim${session.step}`}`;
    session.step += 1;
    return { packet: encode(secret, identifier, attrs), attrs, record, session: session.id, owner: session };
  }
  /** The session's record was answered or given up: its next one may go (after the Stop, none). */
  release(session: Session): void {
    this.busy -= 1;
    if (session.step < this.steps) this.ready.push(session);
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Where one NAS "port" sends its requests and hears its answers: a UDP socket or a RadSec connection. */
interface Channel {
  send: (packet: Buffer) => void;
  onMessage: (listener: (msg: Buffer) => void) => void;
  close: () => void;
}

async function udpChannel(o: LoadOptions): Promise<Channel> {
  const socket = dgram.createSocket({
    type: o.host.includes(":") ? "udp6" : "udp4",
    recvBufferSize: 4 << 20,
    sendBufferSize: 4 << 20,
  });
  await new Promise<void>((r) => socket.bind(0, () => r()));
  return {
    send: (packet) => socket.send(packet, o.port, o.host),
    onMessage: (l) => socket.on("message", l),
    close: () => socket.close(),
  };
}

async function tlsChannel(o: LoadOptions, creds: NonNullable<LoadOptions["tls"]>): Promise<Channel> {
  const socket = tls.connect({ host: o.host, port: o.port, ...creds, checkServerIdentity: () => undefined });
  await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
  socket.setNoDelay(true);
  let listener: (msg: Buffer) => void = () => {};
  let buffered: Buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length >= 4 && buffered.length >= buffered.readUInt16BE(2)) {
      const length = buffered.readUInt16BE(2);
      listener(buffered.subarray(0, length));
      buffered = buffered.subarray(length);
    }
  });
  socket.on("error", () => {});
  return { send: (packet) => socket.write(packet), onMessage: (l) => (listener = l), close: () => socket.destroy() };
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  // A NAS has 256 Identifiers per source port: a window over 256 takes more sockets, as a NAS fleet has.
  const channels: Channel[] = [];
  for (let i = 0; i < Math.ceil(o.window / 256); i++)
    channels.push(o.tls ? await tlsChannel(o, o.tls) : await udpChannel(o));
  const mix = new SessionMix(o);
  // Outstanding requests by key = socket index × 256 + Identifier.
  // `owner`: the session whose next record waits for this one (none for a record sent again as a new request).
  const outstanding = new Map<
    number,
    {
      packet: Buffer;
      attrs: Attr[];
      record: string;
      session: string;
      owner: Session | null;
      firstSent: number;
      tries: number;
      deadline: number;
    }
  >();
  const toResend: { attrs: Attr[]; record: string; session: string }[] = [];
  let resent = 0;
  const freeIds = Array.from({ length: 256 * channels.length }, (_, i) => i);
  const latencies: number[] = [];
  const answeredRecords = new Set<string>();
  const sessionsAnswered = new Set<string>();
  let sent = 0;
  let timedOut = 0;
  let retransmissions = 0;
  const window = o.window;

  const onMessage = (index: number) => (msg: Buffer) => {
    const id = (index << 8) | msg[1]!;
    const req = outstanding.get(id);
    if (!req || msg[0] !== 5) return;
    if (responseAuthenticator(msg, req.packet, o.secret) !== msg.toString("base64", 4, 20)) return;
    outstanding.delete(id);
    freeIds.push(id);
    latencies.push(performance.now() - req.firstSent);
    answeredRecords.add(req.record);
    sessionsAnswered.add(req.session);
    if (req.owner) mix.release(req.owner);
    if (o.resendFraction && Math.random() < o.resendFraction) toResend.push(req);
    pump();
  };
  channels.forEach((channel, index) => channel.onMessage(onMessage(index)));

  const transmit = (id: number) => {
    const req = outstanding.get(id)!;
    for (let copy = 0; copy < (o.copies ?? 1); copy++) channels[id >> 8]!.send(req.packet);
    req.deadline = performance.now() + o.timeoutMs;
  };
  // One sweep for every request's timeout: cheaper than a timer per request (set, cleared, GC'd).
  const sweeper = setInterval(
    () => {
      const now = performance.now();
      for (const [id, req] of outstanding) {
        if (req.deadline > now) continue;
        if (req.tries >= o.tries) {
          outstanding.delete(id);
          freeIds.push(id);
          timedOut += 1;
          if (req.owner) mix.release(req.owner);
          continue;
        }
        req.tries += 1;
        retransmissions += 1;
        transmit(id);
      }
      pump();
    },
    Math.max(5, Math.min(50, o.timeoutMs / 20)),
  );

  const started = performance.now();
  const elapsedS = () => (performance.now() - started) / 1000;
  let sending = true;
  function pump() {
    while (sending && outstanding.size < window && freeIds.length) {
      if (o.rate > 0 && sent >= elapsedS() * o.rate) return;
      const id = freeIds.shift()!;
      const again = toResend.shift();
      if (again) resent += 1;
      const next = again
        ? { ...again, owner: null, packet: encode(o.secret, id & 255, [...again.attrs, u32(41, 5)]) } // Acct-Delay-Time
        : mix.next(o.secret, id & 255);
      outstanding.set(id, { ...next, firstSent: performance.now(), tries: 1, deadline: 0 });
      sent += 1;
      transmit(id);
    }
  }
  const ticker = setInterval(pump, o.rate > 0 ? 1 : 5);
  pump();
  await new Promise((r) => setTimeout(r, o.duration * 1000));
  sending = false;
  clearInterval(ticker);
  const sendSeconds = elapsedS();
  const drainDeadline = Date.now() + o.timeoutMs * (o.tries + 1);
  while (outstanding.size && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
  clearInterval(sweeper);
  timedOut += outstanding.size;
  for (const channel of channels) channel.close();
  latencies.sort((a, b) => a - b);
  return {
    sent,
    answered: latencies.length,
    timedOut,
    retransmissions,
    seconds: sendSeconds,
    answeredPerSecond: latencies.length / sendSeconds,
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? 0,
    },
    answeredRecords,
    sessionsAnswered,
    resent,
  };
}

// CLI: tsx bench/load-generator.ts --target 127.0.0.1:1813 --secret S [--duration 10] [--rate 0] [--window 128]
if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      target: { type: "string", default: "127.0.0.1:1813" },
      secret: { type: "string" },
      duration: { type: "string", default: "10" },
      rate: { type: "string", default: "0" },
      window: { type: "string", default: "128" },
      timeout: { type: "string", default: "1000" },
    },
  });
  if (!values.secret) throw new Error("--secret is required");
  const [host, port] = [
    values.target!.slice(0, values.target!.lastIndexOf(":")),
    Number(values.target!.slice(values.target!.lastIndexOf(":") + 1)),
  ];
  const result = await runLoad({
    host: host!.replace(/^\[|\]$/g, ""),
    port,
    secret: values.secret,
    duration: Number(values.duration),
    rate: Number(values.rate),
    window: Number(values.window),
    timeoutMs: Number(values.timeout),
    tries: 3,
    identities: 2000,
    nas: 20,
    interimsPerSession: 2,
    runId: `cli-${Date.now()}`,
  });
  const { answeredRecords, sessionsAnswered, ...printable } = result;
  console.log(
    JSON.stringify({ ...printable, sessions: sessionsAnswered.size, records: answeredRecords.size }, null, 2),
  );
}
