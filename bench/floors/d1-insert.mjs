// @ts-check
// Floor: one bare D1 single-row insert into packages (the table and indexes a create writes).
import { serverTiming } from "./d1.mjs";

const INSERT =
  "INSERT INTO packages (guid, type, state, app_guid, created_at, updated_at) VALUES (?, 'bits', 'AWAITING_UPLOAD', ?, ?, ?)";

export default {
  /**
   * @param {Request} request
   * @param {import("./d1.mjs").Env} env
   */
  async fetch(request, env) {
    const app = new URL(request.url).searchParams.get("app");
    const guid = crypto.randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const { meta } = await env.DB.prepare(INSERT).bind(guid, app, now, now).run();
    return Response.json({ guid }, { status: 201, headers: serverTiming(meta) });
  },
};
