// UAA-shaped tokens for tests: HS256 with the local-development secret, or RS256 with the run's test key.
import { env } from "cloudflare:workers";
import { importJWK, type JWTPayload, SignJWT } from "jose";

export const READ_WRITE = ["cloud_controller.read", "cloud_controller.write"];

export interface TokenOptions {
  scopes?: string[];
  claims?: JWTPayload;
  alg?: "HS256" | "RS256";
  secret?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
}

export async function token(user: string, options: TokenOptions = {}): Promise<string> {
  const alg = options.alg ?? "HS256";
  const jwt = new SignJWT({
    user_id: user,
    email: `${user}@example.com`,
    scope: options.scopes ?? READ_WRITE,
    aud: ["cloud_controller"],
    exp: Math.floor(Date.now() / 1000) + (options.expiresIn ?? 600),
    ...options.claims,
  });
  if (alg === "RS256") {
    const jwk = JSON.parse(env.TEST_RSA_PRIVATE_JWK);
    return jwt.setProtectedHeader({ alg, kid: jwk.kid, typ: "JWT" }).sign(await importJWK(jwk, "RS256"));
  }
  return jwt
    .setProtectedHeader({ typ: "JWT", alg })
    .sign(new TextEncoder().encode(options.secret ?? "tokensecret"));
}

export const adminToken = (user = "admin-user") => token(user, { scopes: ["cloud_controller.admin"] });
