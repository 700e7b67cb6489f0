// What counts as one location and how it is named: one rule for the profile's location list and filters
// (lib/identities/views.ts) and for the detections' baseline and evidence (lib/alerts/detections.ts).

/** One location: a city in a country (geo), or the private or unknown kind. */
export const locationKey = (kind: string | null, countryCode: string | null, city: string | null) =>
  kind === "geo" ? `geo|${countryCode ?? ""}|${city ?? ""}` : (kind ?? "unknown");

export function locationLabel(
  kind: string | null,
  country: string | null,
  region: string | null,
  city: string | null,
): string {
  if (kind === "private") return "Private network";
  if (kind !== "geo") return "Unknown location";
  return [city, region && region !== city ? region : null, country].filter(Boolean).join(", ") || "Unknown location";
}
