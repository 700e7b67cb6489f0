// A TCP relay in front of the test PostgreSQL: a sensor behind it can be cut off from its database at will, or
// reach it from another network namespace (through a Unix socket: the file system is shared).
import net from "node:net";

export interface Relay {
  /** Closes every relayed connection and refuses new ones (the database "goes away"). */
  cut: () => void;
  restore: () => void;
  close: () => Promise<void>;
}

export async function startRelay(
  target: { host: string; port: number },
  listen: { path: string } | { host: string; port: number },
): Promise<Relay> {
  let open = true;
  const pairs = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = net.connect(target.port, target.host);
    pairs.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(client);
      pairs.delete(upstream);
    };
    client.pipe(upstream).pipe(client);
    for (const s of [client, upstream]) {
      s.on("error", end);
      s.on("close", end);
    }
  });
  await new Promise<void>((resolve) => server.listen(listen, () => resolve()));
  return {
    cut() {
      open = false;
      for (const s of pairs) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of pairs) s.destroy();
        server.close(() => resolve());
      }),
  };
}
