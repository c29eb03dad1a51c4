/**
 * The cluster under failure (issue 11, items 4 and 8): one `cowabunga serve` and two `cowabunga worker`
 * processes against the fake GitHub and the real PostgreSQL (a database of this file's own). A webhook
 * becomes a job; the worker that takes it is SIGKILLed in the middle of the job (right after GitHub
 * created its first issue); the job completes on the other worker; GitHub sees no duplicate issue,
 * comment or pull request. Then a redelivered webhook and two racing scans change nothing.
 *
 * Each worker reaches GitHub through its own loopback proxy, so the test knows which worker is mid-job:
 * the proxy forwards the first issue creation to GitHub and holds the answer, and the test kills that worker.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgBossJobQueue } from "../../src/jobs/pg-boss.js";
import { FakeGitHub, type FakeIssue } from "../helpers/fake-github.js";
import { freePort, startAppServer, waitFor, type AppServer } from "../helpers/app-server.js";
import { testPrivateKey } from "../helpers/keys.js";
import { createTestDatabase, postgresAvailable } from "../helpers/services.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const OSV_MIRROR = path.resolve(here, "../fixtures/e2e/osv");
const REPO = "acme/crash";

const ok = await postgresAvailable("cluster crash test (serve + 2 workers + SIGKILL)");

/** A loopback proxy to the fake GitHub that can hold the answer to one request. */
class HoldingProxy {
  /** One request is held across all proxies: the first one that matches. */
  static holding = false;
  port = 0;
  held: string | null = null;
  private server: Server | null = null;
  constructor(
    private readonly target: number,
    private readonly shouldHold: (method: string, path: string) => boolean,
  ) {}
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const hold = !HoldingProxy.holding && this.shouldHold(req.method ?? "GET", req.url ?? "");
        if (hold) HoldingProxy.holding = true;
        const upstream = request({ host: "127.0.0.1", port: this.target, method: req.method, path: req.url, headers: req.headers }, (up) => {
          const body: Buffer[] = [];
          up.on("data", (c: Buffer) => body.push(c));
          up.on("end", () => {
            if (hold) {
              // GitHub did it; the worker never hears back.
              this.held = `${req.method} ${req.url}`;
              return;
            }
            res.writeHead(up.statusCode ?? 502, up.headers).end(Buffer.concat(body));
          });
        });
        upstream.on("error", () => res.destroy());
        upstream.end(Buffer.concat(chunks));
      });
      req.on("error", () => undefined);
      res.on("error", () => undefined);
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.port = (this.server!.address() as AddressInfo).port;
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

interface WorkerProc {
  name: string;
  child: ChildProcess;
  port: number;
  output: () => string;
}

describe.skipIf(!ok)("cluster: serve + two workers on PostgreSQL, one SIGKILLed mid-job", () => {
  const gh = new FakeGitHub();
  const workers: WorkerProc[] = [];
  const proxies: HoldingProxy[] = [];
  let db: { url: string; drop: () => Promise<void> };
  let dataDir: string;
  let serve: AppServer;
  let queue: PgBossJobQueue;
  const issues = (): FakeIssue[] => gh.repo(REPO).issues.filter((i) => !i.pull_request);
  const context = (): string => `\n--- serve ---\n${serve?.output().slice(-2000) ?? ""}\n${workers.map((w) => `--- ${w.name} ---\n${w.output().slice(-3000)}`).join("\n")}`;

  const env = (): NodeJS.ProcessEnv => ({
    DATABASE_URL: db.url,
    COWABUNGA_DATA_DIR: dataDir,
    COWABUNGA_OFFLINE: "true",
    COWABUNGA_OSV_DB: OSV_MIRROR,
    COWABUNGA_GITHUB_THROTTLE: "false",
    COWABUNGA_ALLOW_PRIVATE_URLS: "true",
    COWABUNGA_JOB_RETRY_DELAY_SECONDS: "1",
    COWABUNGA_JOB_POLL_SECONDS: "0.5",
    COWABUNGA_JOB_REAP_INTERVAL_SECONDS: "1",
    COWABUNGA_JOB_REAP_GRACE_SECONDS: "1",
    COWABUNGA_JOB_BUSY_DELAY_SECONDS: "1",
  });

  async function startWorker(name: string, gheHost: string): Promise<WorkerProc> {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "worker", "--port", String(port)], {
      cwd: root,
      stdio: "pipe",
      env: {
        ...process.env,
        ...env(),
        APP_ID: "1",
        PRIVATE_KEY: testPrivateKey(),
        GHE_HOST: gheHost,
        GHE_PROTOCOL: "http",
        LOG_LEVEL: "info",
        LOG_FORMAT: "json",
        NODE_ENV: "test",
        PRIVATE_KEY_PATH: "",
        REDIS_URL: "",
      },
    });
    let out = "";
    child.stdout?.on("data", (d) => (out += String(d)));
    child.stderr?.on("data", (d) => (out += String(d)));
    const w: WorkerProc = { name, child, port, output: () => out };
    workers.push(w);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${out}`);
        const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
        return res?.status === 200;
      },
      `${name} ready`,
      () => out,
      60_000,
    );
    return w;
  }

  beforeAll(async () => {
    db = await createTestDatabase("cluster_crash");
    dataDir = mkdtempSync(path.join(tmpdir(), "cowabunga-crash-"));
    await gh.start();
    gh.addRepo(REPO, {
      "api/requirements.txt": "alpha-lib==1.4.0\nbeta-lib==2.0.0\n",
      "README.md": "# crash\n",
      // Closed for the whole run: only the critical fix may open an update PR.
      ".github/cowabunga.yml": "schedule:\n  timezone: UTC\n  maintenance_windows:\n    - days: [mon]\n      start: \"03:00\"\n      end: \"03:01\"\n",
    });
    // The workers' own proxies: hold the answer to the first issue creation.
    const holdFirstIssue = (method: string, p: string): boolean => method === "POST" && /^\/api\/v3\/repos\/acme\/crash\/issues$/.test(p);
    for (let i = 0; i < 2; i++) {
      const proxy = new HoldingProxy(gh.port, holdFirstIssue);
      await proxy.start();
      proxies.push(proxy);
    }
    queue = new PgBossJobQueue({ connectionString: db.url, reapIntervalMs: 0, retry: { delayMs: 1000 } });
    await queue.start();
    serve = await startAppServer({ gheHost: gh.host, dataDir, env: { ...env(), NODE_ENV: "test" }, args: ["src/cli/main.ts", "serve"] });
    await startWorker("worker-a", `127.0.0.1:${proxies[0].port}`);
    await startWorker("worker-b", `127.0.0.1:${proxies[1].port}`);
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
    await serve?.stop();
    await queue?.stop({ timeoutMs: 1_000 });
    for (const p of proxies) await p.stop();
    await gh.stop();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const installPayload = () => ({
    action: "created",
    installation: { id: gh.installationId, account: { login: "acme" } },
    repositories: [{ id: gh.repo(REPO).id, name: "crash", full_name: REPO, private: true }],
    sender: { login: "alice", type: "User" },
  });

  it("a worker killed mid-job: the job completes on the other worker, and GitHub sees no duplicate", async () => {
    const res = await serve.deliver("installation", installPayload(), "delivery-crash-install");
    expect(res.status).toBe(200);
    // The worker that took the job created the first issue on GitHub and is waiting for the answer.
    const victimIndex = await waitFor(() => { const i = proxies.findIndex((p) => p.held !== null); return i >= 0 ? i + 1 : 0; }, "a worker mid-job", context, 60_000) - 1;
    const victim = workers[victimIndex];
    const survivor = workers[1 - victimIndex];
    expect(issues()).toHaveLength(1); // created on GitHub, unknown to the app's store
    victim.child.kill("SIGKILL");
    await waitFor(() => victim.child.signalCode === "SIGKILL", "the victim to die", context);

    // The survivor takes the job over (reaper → retry) and finishes it: both issues, the dashboard, the PR.
    await waitFor(
      () => issues().some((i) => i.title.includes("alpha-lib")) && issues().some((i) => i.title.includes("beta-lib")) && issues().some((i) => i.body.includes("<!-- cowabunga:dashboard -->")) && gh.pulls(gh.repo(REPO)).length === 1,
      "the job to complete on the other worker",
      context,
      90_000,
    );
    await waitFor(async () => (await queue.depth()).running === 0 && (await queue.depth()).queued === 0 && (await queue.depth()).retry === 0, "the queue to drain", context, 30_000);
    expect(survivor.output()).toMatch(/job reaped|"outcome":"scanned"/);
    expect((await queue.depth()).failed).toBe(0);

    // No duplicate: one GitHub issue per marker, one PR per branch, no comment twice.
    const markers = issues().map((i) => /<!-- cowabunga:(issue:[^ ]+|dashboard) -->/.exec(i.body)?.[1] ?? `untracked:${i.number}`);
    expect(new Set(markers).size).toBe(markers.length);
    expect(issues().filter((i) => i.title.includes("alpha-lib"))).toHaveLength(1);
    expect(issues().filter((i) => i.title.includes("beta-lib"))).toHaveLength(1);
    const pulls = gh.pulls(gh.repo(REPO));
    expect(new Set(pulls.map((p) => p.head.ref)).size).toBe(pulls.length);
    const comments = gh.repo(REPO).comments.map((c) => `${c.issue_number}:${c.body}`);
    expect(new Set(comments).size).toBe(comments.length);
    expect(gh.violations).toEqual([]);
  }, 180_000);

  it("a redelivered webhook, and two scans raced by two workers, create nothing new", async () => {
    // A fresh second worker beside the survivor, so two workers race for the two scans below.
    const proxy = new HoldingProxy(gh.port, () => false);
    await proxy.start();
    proxies.push(proxy);
    await startWorker("worker-c", `127.0.0.1:${proxy.port}`);
    const before = { issues: issues().length, pulls: gh.pulls(gh.repo(REPO)).length, comments: gh.repo(REPO).comments.length };
    // The same delivery again: the idempotency key in PostgreSQL drops it.
    expect((await serve.deliver("installation", installPayload(), "delivery-crash-install")).status).toBe(200);
    await waitFor(() => /redelivered event ignored/.test(serve.output()), "the redelivery to be recognised", context);
    // A forced rescan and a normal scan at once, queued as two jobs: they run one after the other.
    const a = await queue.enqueue({ kind: "scan", repo: REPO, installation_id: gh.installationId, payload: { trigger: { event: "api", force: true } }, source: "race-a" }, { coalesceKey: "rescan" });
    const b = await queue.enqueue({ kind: "scan", repo: REPO, installation_id: gh.installationId, payload: { trigger: { event: "api", force: true } }, source: "race-b" }, { coalesceKey: "race" });
    // Both workers polled for them; one repository never runs twice at once, so one of them waited.
    expect([a.status, b.status]).toEqual(["queued", "queued"]);
    await waitFor(async () => { const d = await queue.depth(); return d.queued + d.running + d.retry === 0; }, "both scans to finish", context, 60_000);
    expect((await queue.depth()).failed).toBe(0);
    const scansRun = workers.reduce((n, w) => n + (w.output().match(/"trigger":"api"/g) ?? []).length, 0);
    expect(scansRun).toBeGreaterThanOrEqual(2);
    expect({ issues: issues().length, pulls: gh.pulls(gh.repo(REPO)).length, comments: gh.repo(REPO).comments.length }).toEqual(before);
  }, 120_000);
});
