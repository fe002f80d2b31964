// CC's DropletsListMessage as `GET /v3/packages/:guid/droplets` reads it: the metadata list fields,
// droplet filters, and `current`, which only an app's droplet list accepts.
import * as z from "zod/mini";
import { listMessage } from "../lists/messages";
import { unknownQueryParameters } from "../lists/pagination";

// Names of path parameters in CC (and `current`, checked below); this route's path decides, so they
// are accepted and not used.
const anyValue = z.optional(z.union([z.string(), z.record(z.string(), z.string())]));

const packageDropletsList = listMessage({
  labelSelector: "last",
  params: {
    app_guid: anyValue,
    app_guids: "list",
    current: anyValue,
    organization_guids: "list",
    package_guid: anyValue,
    space_guids: "list",
    states: "list",
  },
});

export const packageDropletsListMessage = packageDropletsList.query.check(
  z.superRefine<z.output<typeof packageDropletsList.query>>((query, ctx) => {
    if (query.current !== undefined) {
      ctx.addIssue({ code: "custom", message: unknownQueryParameters(["current"]) });
    }
  }),
);

export const packageDropletsListRequest = packageDropletsList.request;
