import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../helpers/fake-github.js";
import { startAppServer, type AppServer } from "../helpers/app-server.js";

describe("webhook signature verification (the real server, as npm start runs it)", () => {
  const gh = new FakeGitHub();
  let app: AppServer;
  let dataDir: string;
  beforeAll(async () => {
    await gh.start();
    dataDir = mkdtempSync(join(tmpdir(), "cowabunga-e2e-"));
    app = await startAppServer({ gheHost: gh.host, dataDir });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await gh.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const payload = { zen: "Keep it logically awesome.", hook_id: 1, hook: { type: "App", events: [] } };

  it("accepts a delivery signed with WEBHOOK_SECRET", async () => {
    const res = await app.deliver("ping", payload);
    expect(res.status).toBe(200);
  });

  it("refuses a delivery with a wrong or missing signature", async () => {
    const body = JSON.stringify(payload);
    for (const signature of ["sha256=" + "0".repeat(64), undefined]) {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": `bad-${signature ?? "none"}`,
      };
      if (signature) headers["x-hub-signature-256"] = signature;
      const res = await fetch(`http://127.0.0.1:${app.port}/api/github/webhooks`, { method: "POST", headers, body });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});
