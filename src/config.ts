// Vars read and validated once per isolate. A malformed var is logged (its name and why, never its value)
// and fails closed: no config, so every request answers 503 and the cron does nothing.
import * as z from "zod/mini";
import { type CamelCase, camelCase } from "./camel-case";
import { logError } from "./http/log";
import { isObject } from "./http/validation";

/** The documented local-development token secret: accepted only when ENVIRONMENT is "development". */
const LOCAL_DEVELOPMENT_SECRET = "tokensecret";

// Unset takes the default; set, it must be a positive integer ("9O" must not quietly become the default).
const positiveInt = (fallback: number) =>
  z._default(
    z.coerce
      .number({ error: "not a number" })
      .check(z.refine(Number.isSafeInteger, "not an integer"), z.positive("not positive")),
    fallback,
  );
const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((v) => (v?.trim() ? v.trim() : undefined)),
);
const optionalUrl = optionalText.check(z.refine((v) => v === undefined || isUrl(v), "not a URL"));
/** UAA_JWKS: a JWK set as UAA's /token_keys serves it. */
const optionalKeySet = optionalText.check(
  z.refine((v) => v === undefined || isKeySet(v), "not a JSON Web Key Set"),
);

function isUrl(text: string): boolean {
  try {
    return Boolean(new URL(text));
  } catch {
    return false;
  }
}

// As jose's createLocalJWKSet checks it: a set it would refuse would make every RS* token a silent 401.
function isKeySet(text: string): boolean {
  try {
    const keys: unknown = JSON.parse(text)?.keys;
    return Array.isArray(keys) && keys.every(isObject);
  } catch {
    return false;
  }
}
/** A positive integer, or undefined when unset or blank (a feature that is off). */
const optionalPositiveInt = z.pipe(
  z.transform((v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v)),
  z.optional(
    z.coerce
      .number({ error: "not a number" })
      .check(z.refine(Number.isSafeInteger, "not an integer"), z.positive("not positive")),
  ),
);

// The one list of vars: each is read into the config field of its camelCase name (EXTERNAL_URL →
// externalUrl). wrangler.toml and the README document them.
const configSchema = z.object({
  ENVIRONMENT: z._default(z.string(), "production"),
  EXTERNAL_URL: z.pipe(
    optionalUrl,
    z.transform((v) => v?.replace(/\/+$/, "")),
  ),
  UAA_SYMMETRIC_SECRET: optionalText,
  UAA_JWKS_URL: optionalUrl,
  UAA_JWKS: optionalKeySet,
  UAA_ISSUER: optionalText,
  /** UAA's and the login server's URLs, advertised in the `GET /` links when set. */
  UAA_URL: optionalUrl,
  LOGIN_URL: optionalUrl,
  DOWNLOAD_SIGNING_KEY: optionalText,
  MAX_PACKAGE_SIZE: positiveInt(94_371_840),
  MAX_VALID_PACKAGES_STORED: positiveInt(5),
  PACKAGE_STUCK_TIMEOUT_SECONDS: positiveInt(900),
  DOWNLOAD_URL_TTL_SECONDS: positiveInt(300),
  RESOURCE_MIN_SIZE: positiveInt(65_536),
  RESOURCE_CACHE_MAX_AGE_DAYS: positiveInt(30),
  RESOURCE_CACHE_MAX_SIZE: positiveInt(5 * 1024 ** 3),
  RESOURCE_CACHE_FILL_SUBREQUESTS: positiveInt(20),
  MAX_UNZIPPED_PACKAGE_SIZE: positiveInt(1_073_741_824),
  MAX_PACKAGE_ENTRIES: positiveInt(100_000),
  RESOURCE_MAX_SIZE: positiveInt(536_870_912),
  AUDIT_EVENTS_CUTOFF_AGE_IN_DAYS: positiveInt(31),
  RATE_LIMIT_GENERAL: optionalPositiveInt,
  RATE_LIMIT_UNAUTHENTICATED: optionalPositiveInt,
  RATE_LIMIT_RESET_INTERVAL_MINUTES: positiveInt(60),
});

type Vars = z.output<typeof configSchema>;

/** The vars the config reads: every one optional text (wrangler.toml, .dev.vars, test bindings). */
export type ConfigVars = { [K in keyof Vars]?: string };

export type Config = { [K in keyof Vars as CamelCase<Lowercase<K>>]: Vars[K] } & {
  /** ENVIRONMENT is "development": the local token secret and the development UAA are allowed. */
  development: boolean;
};

// Per env object: the config, or null once a malformed var was logged (so it is logged once).
const cache = new WeakMap<ConfigVars, Config | null>();

/** The config, or undefined when a var is malformed (logged once, by name and reason). */
export function readConfig(env: ConfigVars): Config | undefined {
  const cached = cache.get(env);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    // The issue's message names what was expected, never the value, so secrets stay out of the log.
    const invalid = parsed.error.issues.map((issue) => ({
      var: String(issue.path[0]),
      reason: issue.message,
    }));
    logError("config invalid: every request answers 503", "malformed vars", { invalid });
    cache.set(env, null);
    return undefined;
  }
  const vars = parsed.data;
  const development = vars.ENVIRONMENT === "development";
  if (vars.UAA_SYMMETRIC_SECRET === LOCAL_DEVELOPMENT_SECRET && !development) {
    logError("config var ignored", "the local-development secret outside development", {
      var: "UAA_SYMMETRIC_SECRET",
    });
    vars.UAA_SYMMETRIC_SECRET = undefined;
  }
  const fields = Object.entries(vars).map(([name, value]) => [camelCase(name.toLowerCase()), value]);
  const config = { ...Object.fromEntries(fields), development } as Config;
  cache.set(env, config);
  return config;
}
