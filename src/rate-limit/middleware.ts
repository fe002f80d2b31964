// CC's RateLimiter middleware: each caller (a user by their token, or an IP address when the request
// has no valid token) may make so many requests in each window; the responses say how many are left
// and a request past the limit is 429 CF-RateLimitExceeded (CF-IPBasedRateLimitExceeded without a
// token). Off, with no Durable Object call, unless RATE_LIMIT_GENERAL or RATE_LIMIT_UNAUTHENTICATED is set.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { authenticate } from "../http/auth";
import { CfError, errorBody } from "../http/errors";
import { logError } from "../http/log";
import type { User } from "../user";
import type { RequestCount } from "./counter";

// CC's root_api? and internal_api?: matched on the full path, query string included; with /readyz, the
// tokenless probe beside /healthz, so a monitor polling from one address is never told it is not ready.
const EXEMPT = /^(?:\/v2\/info|\/v3|\/|\/healthz|\/readyz)$|^\/internal/;

/**
 * The caller a valid token names, or undefined (no token, or one that is not valid: a 401). UAA out of
 * reach is not "no token": its 502 goes out as CC's SecurityContextSetter answers it, before any count.
 */
async function caller(authorization: string | undefined, config: AppEnv["Variables"]["config"]) {
  try {
    return await authenticate(authorization, config);
  } catch (error) {
    if (error instanceof CfError && error.status === 401) return undefined;
    throw error;
  }
}

const isExempt = (user: User | undefined) => user?.globalSecretReader === true;

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.get("config");
  const { rateLimitGeneral, rateLimitUnauthenticated } = config;
  const url = new URL(c.req.url);
  const authorization = c.req.header("Authorization");
  if (
    (rateLimitGeneral === undefined && rateLimitUnauthenticated === undefined) ||
    EXEMPT.test(url.pathname + url.search) ||
    authorization?.toLowerCase().startsWith("basic ")
  ) {
    return next();
  }
  const user = await caller(authorization, config);
  // Admins and read-only admins are not limited, as in CC; neither is a kind of caller with no limit set.
  const limit = user ? rateLimitGeneral : rateLimitUnauthenticated;
  if (isExempt(user) || limit === undefined) return next();
  const key = user ? `user:${user.guid}` : `ip:${c.req.header("CF-Connecting-IP") ?? "unknown"}`;
  const counter = c.env.REQUEST_COUNTER.get(c.env.REQUEST_COUNTER.idFromName(key));
  let counted: RequestCount;
  try {
    counted = await counter.count(limit, config.rateLimitResetIntervalMinutes * 60);
  } catch (err) {
    // A counter that cannot answer (overloaded by a flood on one caller, or unreachable) is the
    // platform's trouble: 503, not an UnknownError 500; the log says why (the key stays out of it).
    logError("rate limit counter unavailable", err, { requestId: c.get("requestId") });
    throw new CfError("ServiceUnavailable", "The service is unavailable");
  }
  const { count, validUntil } = counted;
  const headers = {
    "X-RateLimit-Limit": String(limit),
    "X-RateLimit-Reset": String(validUntil),
    "X-RateLimit-Remaining": String(Math.max(0, limit - count)),
  };
  if (count > limit) {
    const error = new CfError(user ? "RateLimitExceeded" : "IPBasedRateLimitExceeded");
    // CC answers this one as text/plain, though the body is its JSON error.
    return new Response(JSON.stringify(errorBody(error)), {
      status: error.status,
      headers: {
        ...headers,
        "Retry-After": headers["X-RateLimit-Reset"],
        "Content-Type": "text/plain; charset=utf-8",
      },
    });
  }
  await next();
  for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
});
