// @ts-check
// Floor: raw R2. PUT streams the request body into one object; GET streams an object back.

/**
 * @typedef {{
 *   put(key: string, body: ReadableStream | null): Promise<{ size: number }>,
 *   get(key: string): Promise<{ size: number, body: ReadableStream } | null>,
 * }} Bucket
 */

export default {
  /**
   * @param {Request} request
   * @param {{ BITS: Bucket }} env
   */
  async fetch(request, env) {
    const key = `floor/${new URL(request.url).pathname.slice("/__floor/r2/".length)}`;
    if (request.method === "PUT") {
      const object = await env.BITS.put(key, request.body);
      return Response.json({ size: object.size }, { status: 201 });
    }
    const object = await env.BITS.get(key);
    if (!object) return new Response(null, { status: 404 });
    return new Response(object.body, { headers: { "Content-Length": String(object.size) } });
  },
};
