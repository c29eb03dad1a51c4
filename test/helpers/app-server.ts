import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { testPrivateKey } from "./keys.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? res(addr.port) : rej(new Error("no port"))));
    });
  });
}

export interface AppServer {
  port: number;
  secret: string;
  output: () => string;
  /** Deliver a signed webhook; returns the HTTP status and the time to the response in ms. */
  deliver(event: string, payload: unknown, deliveryId?: string): Promise<{ status: number; ms: number; id: string }>;
  stop(): Promise<void>;
  /** SIGKILL: the process ends at once, nothing is flushed or cleaned up. */
  kill(): Promise<void>;
}

export function signPayload(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * Starts the real app (`src/server/start.ts`, as `npm start` does) with the standard Probot
 * environment, pointed at a GitHub Enterprise Server on loopback (the fake GitHub).
 */
export async function startAppServer(opts: { gheHost: string; dataDir: string; env?: NodeJS.ProcessEnv; /** Script and arguments (default: src/server/start.ts, as npm start). */ args?: string[] }): Promise<AppServer> {
  const port = await freePort();
  const secret = `whsec-${randomUUID()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    APP_ID: "1",
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: secret,
    GHE_HOST: opts.gheHost,
    GHE_PROTOCOL: "http",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    COWABUNGA_DATA_DIR: opts.dataDir,
    COWABUNGA_ALLOW_PRIVATE_URLS: "true",
    COWABUNGA_OFFLINE: "true",
    NODE_ENV: "test",
    COWABUNGA_BACKGROUND_TIMERS: "false",
    ...opts.env,
  };
  delete env.PRIVATE_KEY_PATH;
  delete env.WEBHOOK_PROXY_URL;
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", ...(opts.args ?? ["src/server/start.ts"])], { cwd: root, env, stdio: "pipe" });
  let output = "";
  child.stdout?.on("data", (d) => (output += String(d)));
  child.stderr?.on("data", (d) => (output += String(d)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited early (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/ping`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`app did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    secret,
    output: () => output,
    async deliver(event, payload, deliveryId = randomUUID()) {
      const body = JSON.stringify(payload);
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": deliveryId,
          "x-hub-signature-256": signPayload(secret, body),
        },
        body,
      });
      await res.text();
      return { status: res.status, ms: performance.now() - started, id: deliveryId };
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => setTimeout(r, 200));
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    },
  };
}

/**
 * Poll `check` until it is truthy or the deadline passes (the app works asynchronously after acking).
 * The interval only paces the polling; the assertion is the condition, never the elapsed time.
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, context: () => string = () => "", timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
