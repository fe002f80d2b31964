// The contract check over real sockets: the document joined from openapi/, as the worker serves it.
import { loadOpenApi } from "../../../scripts/openapi.mjs";
import { assertDescribed, contractFrom } from "../../support/openapi";

contractFrom(loadOpenApi);

/** What a fetch Request may not carry: the connection's own framing, which the socket client sets. */
const FRAMING = ["content-length", "transfer-encoding", "connection", "host"];

/**
 * Checks one socket exchange against the document, as the workers tests check theirs: the request as the
 * client sent it, the response as it came.
 */
export async function assertSocketExchangeDescribed(
  sent: { method: string; url: URL; headers: Record<string, string>; body: Uint8Array | undefined },
  received: { status: number; headers: Record<string, string | string[] | undefined>; bytes: Uint8Array },
): Promise<void> {
  const requestHeaders = Object.entries(sent.headers).filter(
    ([name]) => !FRAMING.includes(name.toLowerCase()),
  );
  // A GET or HEAD may not carry a body in a fetch Request; no operation reads one.
  const body = sent.method === "GET" || sent.method === "HEAD" ? undefined : sent.body;
  const request = new Request(sent.url, { method: sent.method, headers: requestHeaders, body });
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(received.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      responseHeaders.append(name, one);
    }
  }
  const nullBody = [101, 204, 205, 304].includes(received.status);
  const response = new Response(nullBody ? null : received.bytes, {
    status: received.status,
    headers: responseHeaders,
  });
  await assertDescribed(request, response);
}
