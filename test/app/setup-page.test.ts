import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? res(addr.port) : rej(new Error("no port"))));
    });
  });
}

describe("npm start without credentials", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGKILL");
  });

  it("serves Probot's GitHub App setup page built from app.yml", async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), NO_SMEE_SETUP: "true", LOG_LEVEL: "warn" };
    for (const k of ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "NODE_ENV", "GHE_HOST"]) delete env[k];
    child = spawn(process.execPath, ["--import", "tsx", "src/server/start.ts"], { cwd: root, env, stdio: "pipe" });
    let output = "";
    child.stdout?.on("data", (d) => (output += String(d)));
    child.stderr?.on("data", (d) => (output += String(d)));

    const deadline = Date.now() + 25_000;
    let res: Response | undefined;
    while (Date.now() < deadline) {
      try {
        res = await fetch(`http://127.0.0.1:${port}/probot`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(res, `server did not start; output:\n${output}`).toBeDefined();
    expect(res!.status).toBe(200);
    const html = await res!.text();
    // The setup view posts the manifest from app.yml to GitHub.
    expect(html).toContain("Cowabunga Maintainer");
    expect(html).toContain("issues");
    expect(html).toMatch(/manifest/i);
  });
});
