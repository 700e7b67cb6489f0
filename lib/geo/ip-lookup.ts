/**
 * The answers for recently seen IPs (a session's Start, Interims and Stop repeat its IP). Two generations of at most
 * `max` entries each: when the young one is full it becomes the old one. Deleting a Map's oldest entry one at a time
 * instead leaves holes its iterator walks over: with a fleet of new addresses that cost 10 – 30 µs a packet.
 */
export class RecentCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined || this.young.has(key)) return hit;
    if (!this.old.has(key)) return undefined;
    const value = this.old.get(key) as V;
    this.set(key, value);
    return value;
  }

  has(key: string): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.max) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}

/**
 * A lookup by public IP as the place and the network-owner readers do it: recent answers first, `notPublic` for a
 * private or reserved address (never looked up), `failed` when the reader throws.
 */
export function publicIpLookup<V>(
  find: (ip: string) => V,
  answers: { notPublic: V; failed: V },
  isNonPublic: (ip: string) => boolean,
): (ip: string) => V {
  // Sessions of one client repeat its IP (Start, Interims, Stop).
  const recent = new RecentCache<V>(10_000);
  return (ip) => {
    const known = recent.get(ip);
    if (known !== undefined) return known;
    let answer: V;
    if (isNonPublic(ip)) answer = answers.notPublic;
    else {
      try {
        answer = find(ip);
      } catch {
        answer = answers.failed;
      }
    }
    recent.set(ip, answer);
    return answer;
  };
}
