// The part of autocannon 8's API the bench uses (the package ships no types).
declare module "autocannon" {
  interface Request {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string | Buffer;
    setupRequest?: (request: { path: string }) => { path: string };
    onResponse?: (status: number, body: string, context: unknown, headers: Record<string, string>) => void;
  }

  interface Options {
    url: string;
    connections: number;
    duration: number;
    maxOverallRequests: number;
    timeout: number;
    requests: Request[];
    warmup?: { connections: number; duration: number };
  }

  interface Result {
    /** Seconds, to 10 ms. */
    duration: number;
  }

  interface Instance extends PromiseLike<Result> {
    on(
      event: "response",
      listener: (client: unknown, status: number, bytes: number, responseMs: number) => void,
    ): Instance;
  }

  export default function autocannon(options: Options): Instance;
}
