// One rule for settings that can carry a credential (a webhook URL with its token in the path or query, a URL with
// user:password): only those allowed to change the setting see it whole; everyone else sees where it points.

/** "https://hooks.slack.com/services/T0/B0/secret?x=1" → "https://hooks.slack.com/•••". */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/•••`;
  } catch {
    return "•••";
  }
}

/** The value as stored for someone allowed to change it; masked for everyone else. */
export function credentialUrlFor(url: string | null, reveal: boolean): string | null {
  return url === null || reveal ? url : maskUrl(url);
}
