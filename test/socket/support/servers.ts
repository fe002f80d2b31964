// The API served on a real socket, started from the test: `npm start` (scripts/dev.mjs, wrangler dev
// with local D1 and R2) and the production-like bundle on plain Miniflare the bench serves. Each
// persists to its own temporary directory, listens on a free port of 127.0.0.1 and is stopped whole.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { applyMigrations, buildWorker, startServer } from "../../../bench/server.mjs";

export interface RunningServer {
  origin: URL;
  /** The HS256 secret the server trusts for UAA tokens. */
  tokenSecret: string;
  stop: () => Promise<void>;
}

/** Starts the server before the tests of the enclosing block and stops it after them; call inside them. */
export function serveForTests(start: () => Promise<RunningServer>): () => RunningServer {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server?.stop());
  return () => {
    if (!server) throw new Error("the server is not started: serveForTests' beforeAll has not run");
    return server;
  };
}

/** A port nothing listens on now: one the kernel hands out for port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

async function answers(origin: URL): Promise<boolean> {
  try {
    return (await fetch(new URL("/v3", origin))).status === 200;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Stops a process group: TERM, then KILL what is left of it after a grace period. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // The group is gone already.
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5_000);
  await exited(child);
  clearTimeout(timer);
  // wrangler's workerd may outlive the parent that exited: make sure nothing of the group is left.
  signal("SIGKILL");
}

/**
 * `npm start -- --port <free> --persist-to <tmp>` with `vars` on top: migrations, demo data and the
 * dev server all use the temporary directory, never the developer's .wrangler state. The development
 * vars are given as flags (they win over .dev.vars), so a developer's own .dev.vars does not matter.
 */
export async function startDevServer(vars: Record<string, string>): Promise<RunningServer> {
  const state = mkdtempSync(join(tmpdir(), "cf-packages-socket-dev-"));
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const flags = ["--port", String(port), "--persist-to", state, "--inspector-port", String(inspectorPort)];
  const tokenSecret = "tokensecret";
  const allVars = { ENVIRONMENT: "development", UAA_SYMMETRIC_SECRET: tokenSecret, ...vars };
  for (const [key, value] of Object.entries(allVars)) flags.push("--var", `${key}:${value}`);
  const child = spawn(process.execPath, ["scripts/dev.mjs", ...flags], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true", FORCE_COLOR: "0" },
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const origin = new URL(`http://127.0.0.1:${port}`);
  const stop = async () => {
    await stopGroup(child);
    rmSync(state, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (!(await answers(origin))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm start did not serve on ${origin.host}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { origin, tokenSecret, stop };
}

/** The bench's server: the built bundle on Miniflare, production vars, `vars` on top, a test secret. */
export async function startBundleServer(vars: Record<string, string>): Promise<RunningServer> {
  const state = mkdtempSync(join(tmpdir(), "cf-packages-socket-bundle-"));
  const tokenSecret = "socket-test-secret";
  await buildWorker();
  const { mf, url } = await startServer(state, {
    UAA_SYMMETRIC_SECRET: tokenSecret,
    DOWNLOAD_SIGNING_KEY: "socket-test-download-key",
    ...vars,
  });
  await applyMigrations(mf);
  return {
    origin: new URL(url),
    tokenSecret,
    stop: async () => {
      await mf.dispose();
      rmSync(state, { recursive: true, force: true });
    },
  };
}
