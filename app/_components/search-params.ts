type Search = Record<string, string | string[] | undefined>;

/** A page's search params as plain strings (first value of repeated keys, empty ones dropped), ready for zod. */
export async function searchParamsRecord(searchParams: Promise<Search>): Promise<Record<string, string>> {
  const entries = Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v] as const);
  return Object.fromEntries(entries.filter((e): e is readonly [string, string] => Boolean(e[1])));
}
