import Link from "next/link";
import type { z } from "zod";
import { AppError, invalidInput } from "@/lib/errors";
import { NUL_REFUSED, containsNul } from "@/lib/api/nul";

/**
 * A page's filters from its address. A value that does not parse (a hand-edited or stale link) is
 * reported, not dropped: the page shows the problem instead of a list that only looks filtered.
 */
export function pageQuery<S extends z.ZodType>(
  schema: S,
  raw: Record<string, string>,
): { query: z.output<S>; problem: string | null } {
  if (containsNul(raw)) return { query: schema.parse({}), problem: NUL_REFUSED };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { query: parsed.data, problem: null };
  return { query: schema.parse({}), problem: invalidInput(parsed.error.issues).message };
}

/**
 * Runs a list query unless the page already has a problem (from pageQuery); a validation error
 * the query raises (e.g. a bad cursor) becomes the page's problem too.
 */
export async function orProblem<T>(
  load: () => Promise<T>,
  empty: T,
  known: string | null = null,
): Promise<{ result: T; problem: string | null }> {
  if (known) return { result: empty, problem: known };
  try {
    return { result: await load(), problem: null };
  } catch (err) {
    if (err instanceof AppError && err.code === "validation") return { result: empty, problem: err.message };
    throw err;
  }
}

/** The problem, and a way out: the same page without any filter. */
export function FilterProblem({ problem, clearHref }: { problem: string; clearHref: string }) {
  return (
    <div role="alert" className="card space-y-2 text-sm">
      <p className="text-red-700">This address has a filter the page cannot use: {problem}</p>
      <Link href={clearHref} className="text-sky-700 hover:underline">
        Clear the filters
      </Link>
    </div>
  );
}
