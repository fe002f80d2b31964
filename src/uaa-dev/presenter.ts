// UAA's JSON for the two endpoints the cf CLI calls to log in: the login info document (`GET /login`
// with Accept: application/json) and the token endpoint's grant and error bodies.

/** Reported as UAA's version: at or above the cf CLI's minimum UAA version (4.26.0). */
const UAA_VERSION = "77.0.0";

export function presentLoginInfo(baseUrl: string) {
  return {
    app: { version: UAA_VERSION },
    links: { uaa: baseUrl, login: baseUrl },
    zone_name: "uaa",
    // [type, display name]: the cf CLI prompts for each. The users log in by name, not email.
    prompts: { username: ["text", "Username"], password: ["password", "Password"] },
  };
}

export function presentTokenGrant(grant: {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scopes: readonly string[];
  jti: string;
}) {
  return {
    access_token: grant.accessToken,
    token_type: "bearer",
    refresh_token: grant.refreshToken,
    expires_in: grant.expiresIn,
    scope: grant.scopes.join(" "),
    jti: grant.jti,
  };
}

/** RFC 6749's error body, as UAA sends it: the cf CLI reads `error` to tell bad credentials from a bad token. */
export const presentOAuthError = (error: string, description: string) => ({
  error,
  error_description: description,
});
