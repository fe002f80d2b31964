// Requests exactly as the cf CLI v8 (cloudfoundry/cli 8.18.4) sends them: its Cloud Controller client
// (api/cloudcontroller/ccv3), its UAA client (api/uaa) and its multipart upload, and the token decoding
// it does on its side (util/configv3). Both cf CLI test files build their requests here.
import { decodeJwt, type JWTPayload } from "jose";
import { fetchWorker, type Reply, read } from "./http";

/** "%s/%s (%s; %s %s)": binary name and version, Go version, GOARCH, GOOS. */
export const CLI_USER_AGENT = "cf/8.18.4+7a1a0f0.2025-10-21 (go1.24.9; amd64 linux)";

/** The cf CLI's stored access token, as `cf login` writes it to its config: "bearer <jwt>". */
export type StoredToken = `bearer ${string}`;

/** A Cloud Controller request: ccv3's requester sets these headers on every request, GETs included. */
export function ccRequest(
  method: string,
  url: string,
  options: { token?: StoredToken; body?: BodyInit; contentType?: string } = {},
): Request {
  const headers: Record<string, string> = {
    "User-Agent": CLI_USER_AGENT,
    Accept: "application/json",
    "Content-Type": options.contentType ?? "application/json",
  };
  if (options.token) headers.Authorization = options.token;
  return new Request(url, { method, headers, body: options.body });
}

/** Go's url.Values.Encode(): keys sorted, form-encoded. */
function goFormEncode(values: Record<string, string>): string {
  const sorted = Object.keys(values).sort();
  return new URLSearchParams(sorted.map((key) => [key, values[key]!])).toString();
}

/** "Basic " + base64("cf:"): the cf client with an empty secret. */
export const CF_CLIENT_BASIC = "Basic Y2Y6";

/** A UAA request as api/uaa's newRequest builds it; token requests carry the client's Basic credentials. */
export function uaaRequest(
  method: string,
  url: string,
  options: { form?: Record<string, string>; authorization?: string } = {},
): Request {
  const headers: Record<string, string> = { Accept: "application/json", "User-Agent": CLI_USER_AGENT };
  if (options.form) headers["Content-Type"] = "application/x-www-form-urlencoded";
  if (options.authorization) headers.Authorization = options.authorization;
  return new Request(url, { method, headers, body: options.form ? goFormEncode(options.form) : undefined });
}

/** A request through the worker's fetch handler, checked against the contract. */
export const cli = async (request: Request): Promise<Reply> => read(await fetchWorker(request));

/** `cf login`'s token request (password grant); `cf` refreshes with `refreshGrant`. */
export const passwordGrant = (loginUrl: string, username: string, password: string) =>
  uaaRequest("POST", `${loginUrl}/oauth/token`, {
    form: { grant_type: "password", username, password },
    authorization: CF_CLIENT_BASIC,
  });

export const refreshGrant = (loginUrl: string, refreshToken: string) =>
  uaaRequest("POST", `${loginUrl}/oauth/token`, {
    form: { grant_type: "refresh_token", refresh_token: refreshToken },
    authorization: CF_CLIENT_BASIC,
  });

/** What util/configv3 decodes from the stored token: it drops the first 7 characters ("bearer "). */
export const decodeStoredToken = (stored: StoredToken): JWTPayload => decodeJwt(stored.slice(7));

/**
 * The body of `cf create-package -p DIR`: Go's multipart.Writer with one `bits` file part named after
 * the CLI's temporary zip (os.CreateTemp("", "cf-cli-")), a 60-hex-digit boundary.
 */
export function cliBitsUpload(zip: Uint8Array): { body: Blob; contentType: string } {
  const boundary = Array.from(crypto.getRandomValues(new Uint8Array(30)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
  const filename = `cf-cli-${crypto.getRandomValues(new Uint32Array(1))[0]}`;
  const body = new Blob([
    `--${boundary}\r\nContent-Disposition: form-data; name="bits"; filename="${filename}"\r\n`,
    "Content-Type: application/octet-stream\r\n\r\n",
    zip,
    `\r\n--${boundary}--\r\n`,
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
