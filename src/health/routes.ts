// Liveness and readiness for load balancers and operators, served without a token as CC's /healthz is.
// /healthz touches nothing (the worker answers); /readyz reaches D1 and R2 and names the part that failed.
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { logError } from "../http/log";
import { jsonResponse } from "../http/respond";
import { pingDatabase } from "./store";

type Check = "ok" | "unavailable";

/** Runs a probe; a failure is logged with its cause and reported by name only. */
async function probe(part: string, requestId: string, run: () => Promise<unknown>): Promise<Check> {
  try {
    await run();
    return "ok";
  } catch (err) {
    logError("readiness check failed", err, { requestId, part });
    return "unavailable";
  }
}

export const healthRouter = new Hono<AppEnv>()
  .get("/healthz", (c) => c.text("OK", 200))
  .get("/readyz", async (c) => {
    const requestId = c.get("requestId");
    const [d1, r2] = await Promise.all([
      probe("d1", requestId, () => pingDatabase(c.get("db"))),
      // A head of a key that need not exist: null is an answer, only a failed call is not.
      probe("r2", requestId, () => c.env.BITS.head("readyz")),
    ]);
    const ready = d1 === "ok" && r2 === "ok";
    return jsonResponse(c, ready ? 200 : 503, { status: ready ? "ok" : "unavailable", checks: { d1, r2 } });
  });
