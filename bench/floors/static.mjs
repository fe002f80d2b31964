// @ts-check
// Floor: a static 200 whose body is ?bytes= long (the size of a package response). No auth, no D1.
/** @type {Map<number, Uint8Array>} */
const bodies = new Map();

export default {
  /** @param {Request} request */
  fetch(request) {
    const bytes = Number(new URL(request.url).searchParams.get("bytes") ?? 0);
    let body = bodies.get(bytes);
    if (!body) {
      body = new Uint8Array(bytes).fill(0x20);
      bodies.set(bytes, body);
    }
    return new Response(body, { headers: { "Content-Type": "application/json;charset=utf-8" } });
  },
};
