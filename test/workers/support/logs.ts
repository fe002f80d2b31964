// The worker's log lines, as the console spy of a test caught them: each one JSON object (src/http/log.ts).
import type { MockInstance } from "vitest";

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary log fields and assert them exactly
export type LogLine = Record<string, any>;

export const logLines = (spy: MockInstance<(...args: unknown[]) => void>): LogLine[] =>
  spy.mock.calls.map(([line]) => JSON.parse(String(line)) as LogLine);
