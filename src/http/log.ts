// The one logger: every line is one JSON object (Workers Logs indexes its fields), with a `message` that
// names the event and the request id when one is at hand. Errors carry their stack here, never in a response.
type Fields = Record<string, unknown>;

/** An event worth keeping: the request line, a job's end, a maintenance run's counts. */
export function logInfo(message: string, fields: Fields = {}): void {
  console.log(JSON.stringify({ level: "info", message, ...fields }));
}

/** A failure, with what it was (name, message, stack) so an operator can find its cause. */
export function logError(message: string, err: unknown, fields: Fields = {}): void {
  console.error(JSON.stringify({ level: "error", message, ...fields, error: describeError(err) }));
}

function describeError(err: unknown): Fields {
  if (err instanceof Error) {
    // drizzle wraps D1's error ("Failed query: …"): its cause says what went wrong.
    const cause = err.cause instanceof Error ? err.cause.message : undefined;
    return { name: err.name, message: err.message, cause, stack: err.stack };
  }
  return { message: String(err) };
}
