// CC's error bodies the tests assert exactly, each defined once (one-off errors use `cfError` in place).
import { cfError } from "./http";

export const NOT_AUTHENTICATED = cfError(10002, "CF-NotAuthenticated", "Authentication error");
export const NOT_AUTHORIZED = cfError(
  10003,
  "CF-NotAuthorized",
  "You are not authorized to perform the requested action",
);
export const ORG_SUSPENDED = cfError(10017, "CF-OrgSuspended", "The organization is suspended");
export const PARSE_ERROR = cfError(
  1001,
  "CF-MessageParseError",
  "Request invalid due to parse error: invalid request body",
);

export const notFoundBody = (resource: string) =>
  cfError(10010, "CF-ResourceNotFound", `${resource} not found`);
export const unprocessableBody = (detail: string) => cfError(10008, "CF-UnprocessableEntity", detail);
export const badQueryBody = (detail: string) =>
  cfError(10005, "CF-BadQueryParameter", `The query parameter is invalid: ${detail}`);

/** Package create and copy: the app is missing or the caller cannot see it. */
export const INVALID_APP = unprocessableBody("App is invalid. Ensure it exists and you have access to it.");

export const BITS_ALREADY_UPLOADED = cfError(
  150004,
  "CF-PackageBitsAlreadyUploaded",
  "Bits may be uploaded only once. Create a new package to upload different bits.",
);

export const labelLimitBody = (count: number) =>
  cfError(
    390020,
    "CF-LabelLimitExceeded",
    `Failed to add ${count} labels because it would exceed maximum of 50`,
  );
export const annotationLimitBody = (count: number) =>
  cfError(
    390023,
    "CF-AnnotationLimitExceeded",
    `Failed to add ${count} annotations because it would exceed maximum of 200`,
  );
