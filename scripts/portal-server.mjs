// The portal's HTTP server: Next.js (production build) behind a plain node:http server that records each request's
// socket peer in a header of its own, overwriting anything a client sent under that name. Route handlers cannot
// see the socket, and Next keeps a client's X-Forwarded-For as sent, so without this the client's address would be
// whatever the client claims (lib/auth/client-address.ts decides from the peer and TRUSTED_PROXIES).
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

process.env.NODE_ENV = "production";
const { default: next } = await import("next");

/** Mirrored in lib/auth/client-address.ts (PEER_HEADER). */
const PEER_HEADER = "x-vpnsight-peer";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 3000);

const app = next({ dev: false, dir: root, port });
await app.prepare();
const handle = app.getRequestHandler();
const server = http.createServer((req, res) => {
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
  void handle(req, res);
});
server.listen(port, () => process.stdout.write(`[portal] listening on http://localhost:${port}\n`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
