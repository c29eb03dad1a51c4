/**
 * `cowabunga enqueue` (issue 11, item 10): scans of an installation's repositories queued with the app's
 * credentials, through @octokit/rest against the fake GitHub Enterprise Server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { appJwt } from "../../src/cli/commands/enqueue.js";
import { MemoryJobQueue } from "../../src/jobs/memory.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { testPrivateKey } from "../helpers/keys.js";
import { createPublicKey, createVerify } from "node:crypto";

function io() {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), stderrIsTTY: false, cwd: process.cwd() } };
}

describe("cowabunga enqueue", () => {
  const gh = new FakeGitHub();
  beforeAll(async () => {
    await gh.start();
    gh.addRepo("acme/one", { "package.json": "{}" });
    gh.addRepo("acme/two", { "go.mod": "module x\n" });
  });
  afterAll(async () => {
    await gh.stop();
  });
  const env = () => ({ APP_ID: "1", PRIVATE_KEY: testPrivateKey(), GHE_HOST: gh.host, GHE_PROTOCOL: "http" });

  it("--installation queues a scan per repository with the installation's id; a second run queues nothing new", async () => {
    const queue = new MemoryJobQueue();
    const a = io();
    expect(await runCli(["node", "cowabunga", "enqueue", "--installation", String(gh.installationId)], { io: a.io, env: env(), enqueueQueue: queue })).toBe(0);
    expect(a.out.stdout).toMatch(/installation 42: 2 scan\(s\) queued, 0 already waiting, of 2 repositories/);
    const jobs = await queue.list();
    expect(jobs.map((j) => [j.kind, j.repo, j.state]).sort()).toEqual([
      ["scan", "acme/one", "queued"],
      ["scan", "acme/two", "queued"],
    ]);
    const b = io();
    expect(await runCli(["node", "cowabunga", "enqueue", "--installation", "42"], { io: b.io, env: env(), enqueueQueue: queue })).toBe(0);
    expect(b.out.stdout).toMatch(/0 scan\(s\) queued, 2 already waiting/);
    // Through the app's credentials: a JWT for the token, the token for the repositories.
    expect(gh.requests.some((r) => r.method === "POST" && r.path === "/app/installations/42/access_tokens")).toBe(true);
    await queue.stop();
  });

  it("--org finds the installation by its account; --all takes every installation", async () => {
    const queue = new MemoryJobQueue();
    const a = io();
    expect(await runCli(["node", "cowabunga", "enqueue", "--org", "ACME", "--force"], { io: a.io, env: env(), enqueueQueue: queue })).toBe(0);
    expect(a.out.stdout).toMatch(/installation 42 \(acme\): 2 scan/);
    const b = io();
    expect(await runCli(["node", "cowabunga", "enqueue", "--org", "nobody"], { io: b.io, env: env(), enqueueQueue: queue })).toBe(2);
    expect(b.out.stderr).toMatch(/not installed on nobody/);
    const c = io();
    expect(await runCli(["node", "cowabunga", "enqueue", "--all", "--force"], { io: c.io, env: env(), enqueueQueue: queue })).toBe(0);
    expect(c.out.stdout).toMatch(/total: 0 queued, 2 already waiting/);
    await queue.stop();
  });

  it("usage errors: no selector or two, a bad id, missing credentials, no DATABASE_URL", async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [[], env(), /exactly one of --installation ID, --org ORG or --all/],
      [["--installation", "1", "--all"], env(), /exactly one/],
      [["--installation", "1; rm"], env(), /numeric installation id/],
      [["--installation", "1"], { ...env(), APP_ID: "" }, /APP_ID is not set/],
      [["--installation", "1"], { APP_ID: "1" }, /PRIVATE_KEY/],
      [["--installation", "42"], env(), /DATABASE_URL is not set/],
    ];
    for (const [args, e, message] of cases) {
      const x = io();
      expect(await runCli(["node", "cowabunga", "enqueue", ...args], { io: x.io, env: e }), args.join(" ")).toBe(2);
      expect(x.out.stderr).toMatch(message);
    }
  });

  it("signs a GitHub App JWT (RS256) that the app's public key verifies, valid under 10 minutes", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const jwt = appJwt("123", testPrivateKey(), now);
    const [h, p, sig] = jwt.split(".");
    const ok = createVerify("RSA-SHA256").update(`${h}.${p}`).verify(createPublicKey(testPrivateKey()), Buffer.from(sig, "base64url"));
    expect(ok).toBe(true);
    const payload = JSON.parse(Buffer.from(p, "base64url").toString()) as { iss: string; iat: number; exp: number };
    expect(payload.iss).toBe("123");
    expect(payload.exp - payload.iat).toBeLessThanOrEqual(600);
    expect(payload.iat).toBeLessThanOrEqual(now.getTime() / 1000);
  });
});
