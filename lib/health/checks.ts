// The health checks as rules over facts (lib/health/facts.ts reads them): which issues are true now. Opening, closing
// and forwarding are lib/health/health-issues.ts's.
import { SENSOR_STALE_AFTER_MS } from "../radius/sensors.ts";
import { coveringClient } from "../net/cidr.ts";
import type { HealthKind } from "./kinds.ts";

/** A NAS whose last wrong-secret request is this recent, with nothing accepted after it, is failing. */
export const INGESTION_FAILURE_WINDOW_MS = 15 * 60_000;
/** A sensor (or a source that is no configured client) unheard for this long is no longer tracked. */
export const FORGOTTEN_AFTER_MS = 7 * 86_400_000;
/** The drop reasons that mean a wrong shared secret (or a Message-Authenticator made with another one). */
export const WRONG_SECRET_REASONS = ["bad_authenticator", "bad_message_authenticator"] as const;

export interface SourceFacts {
  source: string;
  lastAccepted: Date | null;
  lastWrongSecret: Date | null;
  /** Wrong-secret requests today and yesterday (UTC days). */
  wrongSecretRecent: number;
}

export interface SensorFacts {
  sensorId: string;
  lastHeartbeat: Date;
  spoolDepth: number;
  spoolSince: Date | null;
  setAside: number;
}

export interface HealthFacts {
  sources: SourceFacts[];
  sensors: SensorFacts[];
  clients: { name: string; address: string }[];
  silentClientMinutes: number;
  directory: { enabled: boolean; urls: string[]; lastSyncAt: string | null; lastSyncError: string | null };
}

/** Times are not written into messages (they are forwarded as text, and pages show times in the viewer's zone): the
 * issue's openedAt says when. */
export interface Finding {
  kind: HealthKind;
  subject: string;
  message: string;
  /** When the condition started, where known (else: when a check first saw it). */
  since: Date | null;
}

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

export function healthFindings(facts: HealthFacts, now: Date): Finding[] {
  const findings: Finding[] = [];
  const covering = coveringClient(facts.clients);
  const clientOf = (source: string) => covering(source)?.name ?? null;
  const label = (source: string) => {
    const name = clientOf(source);
    return name ? `RADIUS client "${name}" (${source})` : source;
  };
  const ago = (d: Date) => now.getTime() - d.getTime();

  for (const s of facts.sources) {
    if (
      s.lastWrongSecret &&
      ago(s.lastWrongSecret) <= INGESTION_FAILURE_WINDOW_MS &&
      (!s.lastAccepted || s.lastAccepted < s.lastWrongSecret)
    ) {
      findings.push({
        kind: "ingestion-failure",
        subject: s.source,
        message:
          `${label(s.source)} sends RADIUS accounting with a wrong shared secret: ${s.wrongSecretRecent} ` +
          `request${s.wrongSecretRecent === 1 ? "" : "s"} dropped since yesterday. Its VPN sessions are not recorded.`,
        since: null,
      });
    }
    const silentMs = facts.silentClientMinutes * 60_000;
    if (
      s.lastAccepted &&
      ago(s.lastAccepted) > silentMs &&
      (clientOf(s.source) !== null || ago(s.lastAccepted) <= FORGOTTEN_AFTER_MS)
    ) {
      findings.push({
        kind: "client-silent",
        subject: s.source,
        message: `${label(s.source)} has sent no accounting for more than ${formatDuration(silentMs)}.`,
        since: new Date(s.lastAccepted.getTime() + silentMs),
      });
    }
  }

  for (const s of facts.sensors) {
    const quiet = ago(s.lastHeartbeat);
    if (quiet >= SENSOR_STALE_AFTER_MS && quiet <= FORGOTTEN_AFTER_MS) {
      findings.push({
        kind: "sensor-not-reporting",
        subject: s.sensorId,
        message: `Sensor ${s.sensorId} has stopped reporting: no heartbeat since the issue opened.`,
        since: s.lastHeartbeat,
      });
      continue; // what else it last reported is no longer news
    }
    if (s.spoolDepth > 0 || s.spoolSince) {
      findings.push({
        kind: "spool-in-use",
        subject: s.sensorId,
        message:
          `Sensor ${s.sensorId} keeps accounting in its spool (${s.spoolDepth} batch${s.spoolDepth === 1 ? "" : "es"} waiting): ` +
          `it could not write to the database.`,
        since: s.spoolSince,
      });
    }
    if (s.setAside > 0) {
      findings.push({
        kind: "records-set-aside",
        subject: s.sensorId,
        message: `Sensor ${s.sensorId} holds ${s.setAside} answered record${s.setAside === 1 ? "" : "s"} the database refused, in spool/refused.jsonl.`,
        since: null,
      });
    }
  }

  const dir = facts.directory;
  if (dir.enabled && dir.lastSyncError) {
    findings.push({
      kind: "directory-sync-failing",
      subject: "directory",
      message: `The directory sync from ${dir.urls.join(", ") || "the directory"} failed: ${dir.lastSyncError}`,
      since: dir.lastSyncAt ? new Date(dir.lastSyncAt) : null,
    });
  }
  return findings;
}
