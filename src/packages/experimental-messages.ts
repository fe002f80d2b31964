// The 2015 experimental API's package create message ({type, url}), with its checks in CC 2015's order.
import type { PackageType } from "../db/schema";
import { ccMessage, isBlank, lengthMessages, stringMessages, unknownFieldsMessages } from "../http/messages";
import { MAX_DOCKER_IMAGE_LENGTH } from "./messages";

// CC 2015's PackageCreateMessage: unknown keys, type inclusion, url presence by type; the url (today's
// docker image) is bounded as the image is.
export const experimentalPackageCreateMessage = ccMessage(
  (body) => [
    ...unknownFieldsMessages(body, ["type", "url", "app_guid"]),
    ...(body.type === "bits" || body.type === "docker" ? [] : ["Type must be one of 'bits, docker'"]),
    ...(body.type === "bits" && !isBlank(body.url) ? ["Url must be blank when type is bits"] : []),
    ...(body.type === "docker" && isBlank(body.url) ? ["Url can not be blank when type is docker"] : []),
    ...(body.type === "docker" && !isBlank(body.url) ? stringMessages("url", body.url) : []),
    ...(body.type === "docker" ? lengthMessages("url", body.url, { max: MAX_DOCKER_IMAGE_LENGTH }) : []),
  ],
  (body) => ({ type: body.type as PackageType, url: body.url as string | undefined }),
);
