import pino from "pino";

/** Structured JSON logs. Secret-bearing fields are redacted as a second line of defence: code never logs them. */
export const log = pino({
  base: { service: process.env.VPNSIGHT_SERVICE ?? "vpnsight" },
  redact: {
    paths: [
      "*.password",
      "*.sharedSecret",
      "*.secret",
      "*.token",
      "*.authorization",
      "*.headers.authorization",
      "*.headers.cookie",
    ],
    censor: "[redacted]",
  },
});
