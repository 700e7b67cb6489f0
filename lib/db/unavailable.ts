// Failures that mean "the database cannot be reached right now" (stopped, restarting, overloaded,
// network), as opposed to a bug or bad input: callers answer 503 and say so instead of a bare 500.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]); // unreachable, timed out, closed, pool timeout
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "EPIPE"]);
// SQLSTATE classes 08 (connection exception) and 57P (shutdown, cannot connect now), 53300 (too many connections).
const SQLSTATE = /^(08|57P0)|^53300$/;
const PG_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout)/;

export const DATABASE_UNAVAILABLE = "VPN Sight cannot reach its database right now. Try again shortly.";

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 4) return false;
  const e = err as {
    code?: unknown;
    kind?: unknown;
    message?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: unknown };
  };
  if (typeof e.code === "string" && (PRISMA_CODES.has(e.code) || SOCKET_CODES.has(e.code) || SQLSTATE.test(e.code)))
    return true;
  if (typeof e.kind === "string" && ADAPTER_KINDS.has(e.kind)) return true;
  if (typeof e.message === "string" && PG_MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1) || isDatabaseUnavailable(e.meta?.driverAdapterError, depth + 1);
}
