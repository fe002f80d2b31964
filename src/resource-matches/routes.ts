// POST /v3/resource_matches: which of the client's files the resource cache already holds, so a push
// uploads only the rest. 201 {"resources": [...]} with the held subset in the client's order, each
// echoed as CC's presenter does (checksum, size_in_bytes, path, mode; mode as the client sent it).
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { requireWrite } from "../http/auth";
import { jsonResponse } from "../http/respond";
import { jsonBody } from "../http/validation";
import { type ResourceMatchItem, resourceMatchCreateMessage } from "./messages";
import { presentMatch } from "./presenter";
import { cachedSha1s } from "./store";

export const resourceMatchesRouter = new Hono<AppEnv>().post(
  "/v3/resource_matches",
  requireWrite,
  jsonBody(resourceMatchCreateMessage),
  async (c) => {
    const items = c.req.valid("json").resources as ResourceMatchItem[];
    const held = await cachedSha1s(
      c.get("db"),
      items.map((item) => item.checksum.value.toLowerCase()),
    );
    const resources = items.filter((item) => held.has(item.checksum.value.toLowerCase())).map(presentMatch);
    return jsonResponse(c, 201, { resources });
  },
);
