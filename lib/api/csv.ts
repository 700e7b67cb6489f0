// CSV for every list that exports one (the profile's timeline, VPN activity): one cell rule, one streaming rule, one cap.

/** The most rows one export holds. */
export const CSV_ROW_CAP = 50_000;

export const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  // Defuse spreadsheet formulas (CSV injection): a leading formula character gets a quote mark; and a cell with ";"
  // is quoted, as Excel in ";" locales would otherwise split it there and read "=…" after it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",;\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/**
 * A list as CSV, streamed page by page from its keyset-paged query (the header first, then a page per pull), capped
 * at CSV_ROW_CAP rows.
 */
export function csvStream<Row>(
  columns: readonly string[],
  page: (cursor: string | undefined, limit: number) => Promise<{ items: Row[]; nextCursor: string | null }>,
  cell: (row: Row, column: string) => unknown,
  firstCursor?: string,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor = firstCursor;
  let sent = 0;
  let headerSent = false;
  return new ReadableStream({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(`${columns.join(",")}\n`));
        return;
      }
      const result = await page(cursor, Math.min(1000, CSV_ROW_CAP - sent));
      const lines = result.items.map((row) => columns.map((c) => csvCell(cell(row, c))).join(","));
      if (lines.length) controller.enqueue(encoder.encode(`${lines.join("\n")}\n`));
      sent += lines.length;
      cursor = result.nextCursor ?? undefined;
      if (!cursor || sent >= CSV_ROW_CAP) controller.close();
    },
  });
}
