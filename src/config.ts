// Vars read and validated once per isolate. A misconfiguration is logged and fails closed.
import * as z from "zod";

/** The documented local-development token secret: accepted only when ENVIRONMENT is "development". */
export const LOCAL_DEVELOPMENT_SECRET = "tokensecret";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().catch(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const configSchema = z.object({
  ENVIRONMENT: z.string().default("production"),
  EXTERNAL_URL: optionalText,
  UAA_SYMMETRIC_SECRET: optionalText,
  UAA_JWKS_URL: optionalText,
  UAA_JWKS: optionalText,
  UAA_ISSUER: optionalText,
  UAA_URL: optionalText,
  LOGIN_URL: optionalText,
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
});

/** The vars the config reads: every one optional text (wrangler.toml, .dev.vars, test bindings). */
export type ConfigVars = { [K in keyof typeof configSchema.shape]?: string };

export interface Config {
  development: boolean;
  externalUrl: string | undefined;
  symmetricSecret: string | undefined;
  jwksUrl: string | undefined;
  jwks: string | undefined;
  issuer: string | undefined;
  uaaUrl: string | undefined;
  loginUrl: string | undefined;
  downloadSigningKey: string | undefined;
  maxPackageSize: number;
  maxValidPackagesStored: number;
  packageStuckTimeoutSeconds: number;
  downloadUrlTtlSeconds: number;
  resourceMinSize: number;
  resourceCacheMaxAgeDays: number;
  resourceCacheMaxSize: number;
  resourceCacheFillSubrequests: number;
  maxUnzippedPackageSize: number;
  maxPackageEntries: number;
  resourceMaxSize: number;
}

const cache = new WeakMap<ConfigVars, Config>();

export function readConfig(env: ConfigVars): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const vars = configSchema.parse(env);
  const development = vars.ENVIRONMENT === "development";
  let symmetricSecret = vars.UAA_SYMMETRIC_SECRET;
  if (symmetricSecret === LOCAL_DEVELOPMENT_SECRET && !development) {
    console.error("UAA_SYMMETRIC_SECRET is the local-development secret outside development: ignored");
    symmetricSecret = undefined;
  }
  const config: Config = {
    development,
    externalUrl: vars.EXTERNAL_URL?.replace(/\/+$/, ""),
    symmetricSecret,
    jwksUrl: vars.UAA_JWKS_URL,
    jwks: vars.UAA_JWKS,
    issuer: vars.UAA_ISSUER,
    uaaUrl: vars.UAA_URL,
    loginUrl: vars.LOGIN_URL,
    downloadSigningKey: vars.DOWNLOAD_SIGNING_KEY,
    maxPackageSize: vars.MAX_PACKAGE_SIZE,
    maxValidPackagesStored: vars.MAX_VALID_PACKAGES_STORED,
    packageStuckTimeoutSeconds: vars.PACKAGE_STUCK_TIMEOUT_SECONDS,
    downloadUrlTtlSeconds: vars.DOWNLOAD_URL_TTL_SECONDS,
    resourceMinSize: vars.RESOURCE_MIN_SIZE,
    resourceCacheMaxAgeDays: vars.RESOURCE_CACHE_MAX_AGE_DAYS,
    resourceCacheMaxSize: vars.RESOURCE_CACHE_MAX_SIZE,
    resourceCacheFillSubrequests: vars.RESOURCE_CACHE_FILL_SUBREQUESTS,
    maxUnzippedPackageSize: vars.MAX_UNZIPPED_PACKAGE_SIZE,
    maxPackageEntries: vars.MAX_PACKAGE_ENTRIES,
    resourceMaxSize: vars.RESOURCE_MAX_SIZE,
  };
  cache.set(env, config);
  return config;
}
