// HTTP/1.1 over one kept-alive socket, as go-cfclient and the cf CLI talk to the API: every request of a
// client goes through an agent with a single socket, and each reply says whether it came on a reused one.
import { Agent, request } from "node:http";
import type { Socket } from "node:net";
import { assertSocketExchangeDescribed } from "./contract";

export interface SocketReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes and assert them exactly
  json: any;
  socket: Socket;
  reusedSocket: boolean;
}

export interface SocketRequest {
  method: string;
  path: string;
  token?: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Send the body with Transfer-Encoding: chunked (no length), in pieces. */
  chunked?: boolean;
}

const PIECE = 64 * 1024;
// A refusal that leaves the connection hanging shows up as a request that never answers.
const TIMEOUT_MS = 15_000;

/** One client: an agent that keeps one socket alive and reuses it. */
export class KeepAliveClient {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly sockets = new WeakSet<Socket>();

  constructor(private readonly origin: URL) {}

  send(options: SocketRequest): Promise<SocketReply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.Authorization = `bearer ${options.token}`;
    if (options.body && !options.chunked) headers["Content-Length"] = String(options.body.length);
    if (options.chunked) headers["Transfer-Encoding"] = "chunked";
    return new Promise((resolve, reject) => {
      const url = new URL(options.path, this.origin);
      const req = request(
        url,
        { method: options.method, headers, agent: this.agent, timeout: TIMEOUT_MS },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", async () => {
            const bytes = Buffer.concat(chunks);
            const text = bytes.toString("utf8");
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            try {
              await assertSocketExchangeDescribed(
                { method: options.method, url, headers, body: options.body },
                { status: res.statusCode ?? 0, headers: res.headers, bytes },
              );
            } catch (err) {
              reject(err);
              return;
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              bytes,
              json,
              socket: req.socket!,
              reusedSocket: req.reusedSocket,
            });
          });
        },
      );
      // A server that answers and then closes a connection the client is still writing on (a body past
      // the bound) makes the rest of the writes fail: that is the close the tests expect, not an error.
      // Node's own listener on a kept-alive socket takes only the first of those failures.
      req.on("socket", (socket) => {
        if (this.sockets.has(socket)) return;
        this.sockets.add(socket);
        socket.on("error", () => undefined);
      });
      req.on("timeout", () => req.destroy(new Error(`${options.method} ${options.path}: no answer in time`)));
      req.on("error", reject);
      const body = options.body;
      if (!body) return void req.end();
      if (!options.chunked) return void req.end(body);
      for (let at = 0; at < body.length; at += PIECE) req.write(body.subarray(at, at + PIECE));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
