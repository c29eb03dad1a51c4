/**
 * Webhook body limit (issue 10 item 2): Probot's real server on loopback, with the app loaded as
 * `npm start` loads it. Bodies over the cap are refused before the signature check reads them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/index.js";
import { DEFAULT_WEBHOOK_MAX_BYTES, WEBHOOK_MAX_BYTES_ENV, webhookMaxBytesFromEnv } from "../../src/server/webhook-limit.js";
import { FileStore } from "../../src/store/index.js";
import { freePort, signPayload } from "../helpers/app-server.js";
import { testPrivateKey } from "../helpers/keys.js";

const SECRET = "webhook-limit-secret";
const PATH = "/api/github/webhooks";

describe("webhook body limit on Probot's server", () => {
  let server: Server;
  let port: number;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cowabunga-webhook-limit-"));
    port = await freePort();
    server = new Server({
      host: "127.0.0.1",
      port,
      log: pino({ level: "silent" }),
      Probot: Probot.defaults({ appId: 1, privateKey: testPrivateKey(), secret: SECRET, log: pino({ level: "silent" }) }),
    });
    await server.load(
      createApp({ store: new FileStore({ root: dir }), schedule: false, http: false, notifications: false, healthPoller: false, env: {} }),
    );
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 413 to a Content-Length over 25 MB without reading a byte of the body", async () => {
    // Headers only: the body is never sent. A server that waited for it would never answer.
    const declared = 300 * 1024 * 1024;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write(
          [
            `POST ${PATH} HTTP/1.1`,
            "host: 127.0.0.1",
            "content-type: application/json",
            "x-github-event: ping",
            "x-github-delivery: big-1",
            `x-hub-signature-256: sha256=${"0".repeat(64)}`,
            `content-length: ${declared}`,
            "",
            "",
          ].join("\r\n"),
        );
      });
      let text = "";
      socket.on("data", (d) => (text += String(d)));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain(`the limit is ${DEFAULT_WEBHOOK_MAX_BYTES} bytes`);
  });

  it("cuts off a chunked body at the cap with 413 and closes the connection", async () => {
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const total = DEFAULT_WEBHOOK_MAX_BYTES * 2;
    const result = await new Promise<{ status: number | null; written: number; error: string | null }>((resolve) => {
      let written = 0;
      let status: number | null = null;
      let settled = false;
      const finish = (error: string | null): void => {
        if (settled) return;
        settled = true;
        resolve({ status, written, error });
      };
      const req = request({
        host: "127.0.0.1",
        port,
        path: PATH,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "ping",
          "x-github-delivery": "chunked-1",
          "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
          "transfer-encoding": "chunked",
        },
      });
      req.on("response", (res) => {
        status = res.statusCode ?? null;
        res.resume();
        res.on("end", () => finish(null));
      });
      req.on("error", (e) => finish(e.message));
      const pump = (): void => {
        while (!settled && written < total) {
          written += chunk.length;
          if (!req.write(chunk)) {
            req.once("drain", pump);
            return;
          }
        }
        if (!settled) req.end();
      };
      pump();
    });
    // The server answered 413 (or, if the client was still mid-write, reset the connection) long
    // before the 50 MB were sent.
    expect(result.written).toBeLessThan(total);
    if (result.status !== null) expect(result.status).toBe(413);
    else expect(result.error).toMatch(/EPIPE|ECONNRESET|socket hang up/);
  });

  it("still accepts a valid signed delivery (and a bad signature is still refused)", async () => {
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1, hook: { type: "App", events: [] } });
    const send = (signature: string) =>
      fetch(`http://127.0.0.1:${port}${PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": `ok-${signature.slice(-6)}`, "x-hub-signature-256": signature },
        body,
      });
    expect((await send(signPayload(SECRET, body))).status).toBe(200);
    const bad = await send(`sha256=${"1".repeat(64)}`);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
  });

  it("leaves other routes alone", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(res.status).toBe(200);
  });
});

describe("the webhook cap setting", () => {
  it(`is 25 MB by default and ${WEBHOOK_MAX_BYTES_ENV} changes it`, () => {
    expect(DEFAULT_WEBHOOK_MAX_BYTES).toBe(25 * 1024 * 1024);
    expect(webhookMaxBytesFromEnv({})).toBe(DEFAULT_WEBHOOK_MAX_BYTES);
    expect(webhookMaxBytesFromEnv({ [WEBHOOK_MAX_BYTES_ENV]: "1048576" })).toBe(1048576);
    expect(() => webhookMaxBytesFromEnv({ [WEBHOOK_MAX_BYTES_ENV]: "lots" })).toThrow(/positive number of bytes/);
  });
});
