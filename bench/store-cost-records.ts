// The records bench:store writes: Start → 2 × Interim → Stop of 200 sessions at a time, interleaved like a NAS fleet.
import { createHash } from "node:crypto";
import { sessionEvent } from "../lib/testing/session-event.ts";
import type { SessionEvent } from "../lib/sessions/accounting-record.ts";
export const RECORDS = 20_000;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** Start → 2 × Interim → Stop for 200 concurrent sessions at a time, interleaved like a NAS fleet. */
export function records(run: string): SessionEvent[] {
  const out: SessionEvent[] = [];
  const live: { key: string; id: string; user: string; step: number }[] = [];
  for (let n = 0; out.length < RECORDS;) {
    if (live.length < 200) {
      live.push({ key: sha(`${run}${n}`), id: `${run}-${n}`, user: `user${n % 20_000}@contoso.com`, step: 0 });
      n++;
    }
    const i = Math.floor(Math.random() * live.length);
    const s = live[i]!;
    const kind = s.step === 0 ? "start" : s.step < 3 ? "interim" : "stop";
    const time = new Date(Date.now() + out.length).toISOString();
    out.push(
      sessionEvent({
        kind,
        sessionKey: s.key,
        identity: s.user,
        acctSessionId: s.id,
        publicIp: "81.2.69.142",
        assignedIp: "10.1.2.3",
        location: {
          kind: "geo",
          countryCode: "GB",
          country: "United Kingdom",
          region: "England",
          city: "London",
          latitude: 51.5,
          longitude: -0.1,
        },
        eventTime: time,
        sessionTime: s.step * 60,
        inputBytes: String(s.step * 1000),
        outputBytes: String(s.step * 2000),
        terminateCause: kind === "stop" ? "User-Request" : null,
        interimInterval: 60,
      }),
    );
    if (++s.step > 3) live.splice(i, 1);
  }
  return out;
}
