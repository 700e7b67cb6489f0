/** A failure with a message meant for the user, and the HTTP status that carries it. */
export class AppError extends Error {
  constructor(
    readonly code: "validation" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "throttled",
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 429,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const validationError = (message: string, details?: unknown) =>
  new AppError("validation", message, 400, details);
export const notFound = (message: string) => new AppError("not_found", message, 404);
export const conflict = (message: string) => new AppError("conflict", message, 409);

interface Issue {
  code?: string;
  path?: PropertyKey[];
  expected?: string;
  message: string;
}

/**
 * zod's own wording for a missing or mistyped field ("Invalid input: expected string, received
 * undefined") names neither the field nor what to do; schemas' custom messages are kept.
 */
function issueMessage(issue: Issue): string {
  const field = issue.path?.map(String).join(".");
  if (issue.code !== "invalid_type" || !field || !issue.message.startsWith("Invalid input:")) return issue.message;
  return issue.message.endsWith("received undefined")
    ? `${field} is required.`
    : `${field} must be a ${issue.expected}.`;
}

/** The validation error for zod's issues: each named in words, the first one as the message. */
export function invalidInput(issues: Issue[]): AppError {
  const named = issues.map((i) => ({ ...i, message: issueMessage(i) }));
  return validationError(named[0]?.message ?? "Invalid input.", named);
}

/** Validates input at a boundary; the first issue's message becomes the user-facing error. */
export function parseInput<
  S extends {
    safeParse(input: unknown): { success: true; data: unknown } | { success: false; error: { issues: Issue[] } };
  },
>(schema: S, input: unknown): Extract<ReturnType<S["safeParse"]>, { success: true }>["data"] {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  return parsed.data as Extract<ReturnType<S["safeParse"]>, { success: true }>["data"];
}
