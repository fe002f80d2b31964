// @ts-check
// Floor: one bare D1 point read by primary key, the row returned as JSON.
import { serverTiming } from "./d1.mjs";

export default {
  /**
   * @param {Request} request
   * @param {import("./d1.mjs").Env} env
   */
  async fetch(request, env) {
    const id = Number(new URL(request.url).searchParams.get("id"));
    const { results, meta } = await env.DB.prepare("SELECT * FROM packages WHERE id = ?").bind(id).all();
    return Response.json(results[0] ?? null, {
      status: results.length ? 200 : 404,
      headers: serverTiming(meta),
    });
  },
};
