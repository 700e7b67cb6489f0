// The kinds of health issue, each with its title and what to do: one place, read by the checks, the pages, the API
// and the forwarding (issue 21 item 6, after Defender for Identity's health issues).

export const HEALTH_KINDS = {
  "ingestion-failure": {
    title: "Radius accounting data ingestion failures",
    fix: "Set the same shared secret on the NAS and in VPN Sight (Settings › Identities › VPN: the global secret, or the RADIUS client's own).",
  },
  "client-silent": {
    title: "RADIUS client silent",
    fix: "Check that the VPN server is up and still sends accounting here, or raise the threshold if it is quiet at times.",
  },
  "sensor-not-reporting": {
    title: "Sensor not reporting",
    fix: "Start the sensor (`npm run sensor`, or its service), or check that it reaches the database.",
  },
  "spool-in-use": {
    title: "Sensor cannot reach the database (spool in use)",
    fix: "Accounting is answered and kept in the sensor's spool; it is replayed once the database is reachable. Restore the connection before the spool fills (SPOOL_MAX_MB).",
  },
  "records-set-aside": {
    title: "Records set aside",
    fix: "The database refused records that were already answered: they are in the sensor's spool/refused.jsonl. Look at the sensor's log for why, then move the file away.",
  },
  "directory-sync-failing": {
    title: "Directory sync failing",
    fix: "Open Settings › Identities › Directory and run Test connection: it names the failing step.",
  },
} as const;

export type HealthKind = keyof typeof HEALTH_KINDS;
export const HEALTH_KIND_IDS = Object.keys(HEALTH_KINDS) as HealthKind[];
