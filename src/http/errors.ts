// The one catalogue of Cloud Foundry errors this API returns (names, codes, statuses and detail
// templates as in Cloud Controller's errors/v2.yml). Routes throw CfError; onError renders it.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { logError } from "./log";
import { jsonResponse } from "./respond";

const catalogue = {
  InvalidAuthToken: { code: 1000, status: 401, template: "Invalid Auth Token" },
  MessageParseError: { code: 1001, status: 400, template: "Request invalid due to parse error: %s" },
  NotFound: { code: 10000, status: 404, template: "Unknown request" },
  UnknownError: { code: 10001, status: 500, template: "An unknown error occurred." },
  NotAuthenticated: { code: 10002, status: 401, template: "Authentication error" },
  ServiceUnavailable: { code: 10015, status: 503, template: "%s" },
  NotAuthorized: {
    code: 10003,
    status: 403,
    template: "You are not authorized to perform the requested action",
  },
  BadQueryParameter: { code: 10005, status: 400, template: "The query parameter is invalid: %s" },
  UnprocessableEntity: { code: 10008, status: 422, template: "%s" },
  ResourceNotFound: { code: 10010, status: 404, template: "%s" },
  RateLimitExceeded: { code: 10013, status: 429, template: "Rate Limit Exceeded" },
  IPBasedRateLimitExceeded: {
    code: 10014,
    status: 429,
    template:
      "Rate Limit Exceeded: Unauthenticated requests from this IP address have exceeded the limit. Please log in.",
  },
  OrgSuspended: { code: 10017, status: 403, template: "The organization is suspended" },
  UaaUnavailable: { code: 20004, status: 502, template: "The UAA service is currently unavailable" },
  FeatureDisabled: { code: 330002, status: 403, template: "Feature Disabled: %s" },
  PackageBitsAlreadyUploaded: {
    code: 150004,
    status: 400,
    template: "Bits may be uploaded only once. Create a new package to upload different bits.",
  },
  BlobstoreUnavailable: {
    code: 150006,
    status: 502,
    template: "Failed to perform operation due to blobstore unavailability.",
  },
  BlobstoreError: {
    code: 150007,
    status: 500,
    template: "Failed to perform blobstore operation after three retries.",
  },
  AppPackageInvalid: { code: 150001, status: 400, template: "The app package is invalid: %s" },
  AppBitsUploadInvalid: { code: 160001, status: 400, template: "The app upload is invalid: %s" },
  AppResourcesFileModeInvalid: {
    code: 160003,
    status: 400,
    template: "The resource file mode is invalid: %s",
  },
  AppResourcesFilePathInvalid: {
    code: 160004,
    status: 400,
    template: "The resource file path is invalid: %s",
  },
  LabelLimitExceeded: {
    code: 390020,
    status: 422,
    template: "Failed to add %s labels because it would exceed maximum of %s",
  },
  AnnotationLimitExceeded: {
    code: 390023,
    status: 422,
    template: "Failed to add %s annotations because it would exceed maximum of %s",
  },
} as const satisfies Record<string, { code: number; status: number; template: string }>;

export type CfErrorName = keyof typeof catalogue;

/** A Cloud Foundry API error: `new CfError("ResourceNotFound", "Package not found")`. */
export class CfError extends Error {
  readonly code: number;
  readonly title: string;
  readonly status: number;
  readonly detail: string;

  constructor(name: CfErrorName, ...args: (string | number | readonly string[])[]) {
    const entry = catalogue[name];
    let i = 0;
    // Array arguments are joined with ", " as CC's ApiError does for lists of validation messages.
    const detail = entry.template.replace(/%s/g, () => {
      const arg = args[i++];
      return Array.isArray(arg) ? arg.join(", ") : String(arg ?? "");
    });
    super(detail);
    this.name = "CfError";
    this.code = entry.code;
    this.title = `CF-${name}`;
    this.status = entry.status;
    this.detail = detail;
  }
}

export const notFound = (resource: string) => new CfError("ResourceNotFound", `${resource} not found`);
export const unprocessable = (messages: string | readonly string[]) =>
  new CfError("UnprocessableEntity", messages);

export function errorBody(error: CfError) {
  return { errors: [{ detail: error.detail, title: error.title, code: error.code }] };
}

/** Renders any thrown value as CF's error envelope; nothing internal reaches the client. */
export function renderError(err: unknown, c: Context): Response {
  if (err instanceof CfError) return jsonResponse(c, err.status, errorBody(err));
  // Hono throws this when an application/json body does not parse.
  if (err instanceof HTTPException && err.status === 400) {
    return jsonResponse(c, 400, errorBody(new CfError("MessageParseError", "invalid request body")));
  }
  logError("request failed", err, { requestId: c.get("requestId") });
  const unknown = new CfError("UnknownError");
  // CC's hasher titles non-API exceptions "UnknownError" (no CF- prefix).
  return jsonResponse(c, 500, {
    errors: [{ detail: unknown.detail, title: "UnknownError", code: unknown.code }],
  });
}
