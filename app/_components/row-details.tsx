import type { ReactNode } from "react";

/**
 * On a phone a table keeps its key columns; the others' values sit behind this, in the row's first cell. Hidden from
 * `sm` up, where the columns themselves show (mark those `max-sm:hidden`).
 */
export function RowDetails({ items }: { items: [string, ReactNode][] }) {
  return (
    <details className="mt-1 text-xs sm:hidden" data-testid="row-details">
      <summary className="cursor-pointer text-slate-600">Details</summary>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5">
        {items.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-500">{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
