import fs from "node:fs";
import net from "node:net";

/**
 * A MaxMind DB (.mmdb) reader that reads the file on demand through a bounded
 * page cache instead of holding it in memory: the DB-IP City files are 63 MB
 * (IPv4) and 71 MB (IPv6), which alone would exceed the sensor's memory budget.
 * Implements the MaxMind DB format 2.0 (search tree + data section).
 */
export class MmdbFile {
  private readonly fd: number;
  private readonly pages = new Map<number, Buffer>();
  private readonly nodeCount: number;
  private readonly recordSize: number;
  private readonly ipVersion: number;
  private readonly treeSize: number;
  private ipv4Start: number | null = null;
  readonly metadata: Record<string, unknown>;

  constructor(
    file: string,
    private readonly pageSize = 4096,
    private readonly maxPages = 2048, // 8 MB
  ) {
    this.fd = fs.openSync(file, "r");
    const size = fs.fstatSync(this.fd).size;
    const tailLength = Math.min(size, 128 * 1024);
    const tail = Buffer.alloc(tailLength);
    fs.readSync(this.fd, tail, 0, tailLength, size - tailLength);
    const marker = tail.lastIndexOf(Buffer.from("abcdef4d61784d696e642e636f6d", "hex"));
    if (marker < 0) throw new Error(`${file} is not a MaxMind DB file`);
    const metadataStart = size - tailLength + marker + 14;
    this.metadata = this.decode(metadataStart, metadataStart).value as Record<string, unknown>;
    this.nodeCount = Number(this.metadata.node_count);
    this.recordSize = Number(this.metadata.record_size);
    this.ipVersion = Number(this.metadata.ip_version);
    if (![24, 28, 32].includes(this.recordSize)) throw new Error(`unsupported record size ${this.recordSize}`);
    this.treeSize = ((this.recordSize * 2) / 8) * this.nodeCount;
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private lastIndex = -1;
  private lastPage: Buffer | null = null;

  private page(index: number): Buffer {
    // A tree walk reads several bytes of one page in a row: skip the LRU bookkeeping for those.
    if (index === this.lastIndex) return this.lastPage!;
    let page = this.pages.get(index);
    if (page) {
      this.pages.delete(index); // LRU: move to the end
    } else {
      // A full cache reuses its least recently used page's buffer: no allocation (zero-filled,
      // then garbage) per miss. Callers copy what they read, so no one holds on to a page.
      if (this.pages.size >= this.maxPages) {
        const oldest = this.pages.keys().next().value!;
        page = this.pages.get(oldest)!;
        this.pages.delete(oldest);
      } else {
        page = Buffer.allocUnsafeSlow(this.pageSize);
      }
      fs.readSync(this.fd, page, 0, this.pageSize, index * this.pageSize);
    }
    this.pages.set(index, page);
    this.lastIndex = index;
    this.lastPage = page;
    return page;
  }

  private byte(offset: number): number {
    return this.page(Math.floor(offset / this.pageSize))[offset % this.pageSize]!;
  }

  private bytes(offset: number, length: number): Buffer {
    const first = Math.floor(offset / this.pageSize);
    const last = Math.floor((offset + length - 1) / this.pageSize);
    if (first === last) return this.page(first).subarray(offset % this.pageSize, (offset % this.pageSize) + length);
    const out = Buffer.alloc(length);
    for (let copied = 0; copied < length;) {
      const at = offset + copied;
      const page = this.page(Math.floor(at / this.pageSize));
      copied += page.copy(
        out,
        copied,
        at % this.pageSize,
        Math.min(this.pageSize, (at % this.pageSize) + length - copied),
      );
    }
    return out;
  }

  private uint(offset: number, length: number): number {
    let v = 0;
    for (let i = 0; i < length; i++) v = v * 256 + this.byte(offset + i);
    return v;
  }

  private record(node: number, bit: number): number {
    if (this.recordSize === 24) return this.uint(node * 6 + bit * 3, 3);
    if (this.recordSize === 32) return this.uint(node * 8 + bit * 4, 4);
    const base = node * 7;
    const middle = this.byte(base + 3);
    return bit === 0 ? ((middle & 0xf0) << 20) + this.uint(base, 3) : ((middle & 0x0f) << 24) + this.uint(base + 4, 3);
  }

  /** The record for an IP address, or null when the database has none. */
  get(ip: string): unknown {
    const family = net.isIPv4(ip) ? 4 : net.isIPv6(ip) ? 6 : 0;
    if (!family) return null;
    const bits = family === 4 ? ipv4Bits(ip) : ipv6Bits(ip);
    let node = 0;
    if (family === 4 && this.ipVersion === 6) {
      if (this.ipv4Start === null) {
        let n = 0;
        for (let i = 0; i < 96 && n < this.nodeCount; i++) n = this.record(n, 0);
        this.ipv4Start = n;
      }
      node = this.ipv4Start;
    } else if (family === 6 && this.ipVersion === 4) {
      return null;
    }
    for (let i = 0; i < bits.length && node < this.nodeCount; i++) node = this.record(node, bits[i]!);
    if (node <= this.nodeCount) return null;
    const dataStart = this.treeSize + 16;
    return this.decode(dataStart + (node - this.nodeCount - 16), dataStart).value;
  }

  /** Decodes one value at `offset`; pointers are relative to `base` (the data section). */
  private decode(offset: number, base: number): { value: unknown; next: number } {
    const ctrl = this.byte(offset++);
    let type = ctrl >> 5;
    if (type === 1) {
      const ss = (ctrl >> 3) & 3;
      const vvv = ctrl & 7;
      const pointer =
        ss === 0
          ? (vvv << 8) + this.byte(offset)
          : ss === 1
            ? (vvv << 16) + this.uint(offset, 2) + 2048
            : ss === 2
              ? vvv * 2 ** 24 + this.uint(offset, 3) + 526336
              : this.uint(offset, 4);
      return { value: this.decode(base + pointer, base).value, next: offset + ss + 1 };
    }
    if (type === 0) type = 7 + this.byte(offset++);
    let size = ctrl & 0x1f;
    if (size >= 29) {
      const extra = size - 28;
      size =
        size === 29 ? 29 + this.byte(offset) : size === 30 ? 285 + this.uint(offset, 2) : 65821 + this.uint(offset, 3);
      offset += extra;
    }
    switch (type) {
      case 2:
        return { value: this.bytes(offset, size).toString("utf8"), next: offset + size };
      case 3:
        return { value: this.bytes(offset, 8).readDoubleBE(0), next: offset + 8 };
      case 4:
        return { value: Buffer.from(this.bytes(offset, size)), next: offset + size };
      case 5:
      case 6:
        return { value: this.uint(offset, size), next: offset + size };
      case 8: {
        const raw = this.uint(offset, size);
        return { value: size === 4 && raw >= 2 ** 31 ? raw - 2 ** 32 : raw, next: offset + size };
      }
      case 9:
      case 10: {
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) + BigInt(this.byte(offset + i));
        return { value: v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v, next: offset + size };
      }
      case 7: {
        const map: Record<string, unknown> = {};
        let at = offset;
        for (let i = 0; i < size; i++) {
          const key = this.decode(at, base);
          const value = this.decode(key.next, base);
          map[String(key.value)] = value.value;
          at = value.next;
        }
        return { value: map, next: at };
      }
      case 11: {
        const list: unknown[] = [];
        let at = offset;
        for (let i = 0; i < size; i++) {
          const item = this.decode(at, base);
          list.push(item.value);
          at = item.next;
        }
        return { value: list, next: at };
      }
      case 14:
        return { value: size !== 0, next: offset };
      case 15:
        return { value: this.bytes(offset, 4).readFloatBE(0), next: offset + 4 };
      default:
        throw new Error(`unsupported MaxMind DB data type ${type}`);
    }
  }
}

function ipv4Bits(ip: string): number[] {
  const bits: number[] = [];
  for (const part of ip.split(".")) for (let i = 7; i >= 0; i--) bits.push((Number(part) >> i) & 1);
  return bits;
}

function ipv6Bits(ip: string): number[] {
  const [head = "", tail = ""] = ip.split("::");
  const parse = (s: string) => (s ? s.split(":") : []);
  let groups = [...parse(head)];
  const tailGroups = parse(tail);
  // An embedded IPv4 (::ffff:1.2.3.4) becomes two groups.
  const fixTail = tailGroups.flatMap((g) => (g.includes(".") ? ipv4Groups(g) : [g]));
  const fixHead = groups.flatMap((g) => (g.includes(".") ? ipv4Groups(g) : [g]));
  groups = ip.includes("::")
    ? [...fixHead, ...Array(8 - fixHead.length - fixTail.length).fill("0"), ...fixTail]
    : fixHead;
  const bits: number[] = [];
  for (const g of groups) {
    const v = parseInt(g || "0", 16);
    for (let i = 15; i >= 0; i--) bits.push((v >> i) & 1);
  }
  return bits;
}

function ipv4Groups(v4: string): string[] {
  const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
