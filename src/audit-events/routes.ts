// /v3/audit_events as CC serves it: show and list, by CC's readable_event_dataset.
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { currentUser, requireRead } from "../http/auth";
import { showResource } from "../http/resources";
import { queryParams } from "../http/validation";
import { listResponse } from "../lists/response";
import { auditEventsListQuery, auditEventsListRequest } from "./messages";
import { presentAuditEvent } from "./presenter";
import { findAuditEvent, listAuditEvents } from "./store";

export const auditEventsRouter = new Hono<AppEnv>()
  .get("/v3/audit_events", requireRead, queryParams(auditEventsListQuery), async (c) => {
    const request = auditEventsListRequest(c.req.valid("query"));
    const page = await listAuditEvents(c.get("db"), currentUser(c), request.filters, request.paging);
    return listResponse(c, "/v3/audit_events", request, page, presentAuditEvent);
  })
  .get("/v3/audit_events/:guid", requireRead, showResource("Event", findAuditEvent, presentAuditEvent));
