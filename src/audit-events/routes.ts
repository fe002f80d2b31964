// /v3/audit_events as CC serves it: show and list, by CC's readable_event_dataset.
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { requireRead } from "../http/auth";
import { showResource } from "../http/resources";
import { queryParams } from "../http/validation";
import { listResources } from "../lists/response";
import { auditEventsListQuery, auditEventsListRequest } from "./messages";
import { presentAuditEvent } from "./presenter";
import { findAuditEvent, listAuditEvents } from "./store";

export const auditEventsRouter = new Hono<AppEnv>()
  .get(
    "/v3/audit_events",
    requireRead,
    queryParams(auditEventsListQuery),
    listResources("/v3/audit_events", auditEventsListRequest, listAuditEvents, presentAuditEvent),
  )
  .get("/v3/audit_events/:guid", requireRead, showResource("Event", findAuditEvent, presentAuditEvent));
