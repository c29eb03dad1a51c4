/**
 * The fleet run of `npm run bench:fleet` (issue 11, item 9), also used by its small end-to-end test.
 *
 * Set-up, all on this machine: the project's fake GitHub (GHES on loopback) holding the generated fleet;
 * the fake registries and OSV (./fake-registries.ts) with a fixed latency; PostgreSQL (a fresh database of
 * its own, dropped at the end); and real child processes of the CLI, started as the crash test starts them:
 * one `cowabunga serve` and one or two `cowabunga worker`.
 *
 * Phases:
 * 1. first scan: one signed `installation.created` webhook naming every repository goes to serve; worker A
 *    alone scans until `soloScans` repositories are done (scans/min with 1 worker), then worker B starts
 *    (scans/min with 2 from the moment it is ready). Meanwhile signed `push` webhooks go to serve at
 *    `ackRate` per second, open loop (each leaves at its scheduled time: a slow server cannot hide its
 *    latency by slowing the sender), to repositories of their own so they do not disturb the counts.
 * 2. unchanged: `cowabunga enqueue --installation ID` (a child process, app credentials) queues a scan of
 *    every repository again; nothing changed, so each costs what an unchanged scan costs.
 * GitHub requests are attributed to the repository they name (REST path, GraphQL variables); the rest
 * (installation tokens, GitHub-hosted datasource lookups of other repositories) is reported apart.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { Worker } from "node:worker_threads";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PgBossJobQueue } from "../../src/jobs/pg-boss.js";
import { freePort } from "../../test/helpers/app-server.js";
import { FakeGitHub, type RecordedRequest } from "../../test/helpers/fake-github.js";
import { testPrivateKey } from "../../test/helpers/keys.js";
import { createTestDatabase } from "../../test/helpers/services.js";
import { FakeRegistries, type Ecosystem } from "./fake-registries.js";
import { describeFleet, generateFleet, loadCorpus, type FleetRepo, type FleetShape } from "./generate.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CORPUS_DIR = path.resolve(ROOT, "..", "shared/corpus");

export interface FleetOptions {
  repos: number;
  /** 1 or 2 worker processes (default 2). */
  workers?: number;
  /** Scans worker A does alone before worker B starts (default max(20, 10 % of the fleet)). */
  soloScans?: number;
  /** Push webhooks per second to serve during the first scan (default 5). */
  ackRate?: number;
  latencyMs?: number;
  /** COWABUNGA_CONCURRENCY of each worker (unset: the app's default). */
  concurrency?: number;
  /** Give up on the first scan after this long (default 45 min); the unchanged pass gets a third of it. */
  timeoutMs?: number;
  /** Skip the unchanged pass. */
  skipUnchanged?: boolean;
  corpusDir?: string;
  /** Size-class shares of the generated fleet (default 50 % small, 35 % medium, the rest large). */
  shares?: { small?: number; medium?: number };
  progress?: (line: string) => void;
  progressEveryMs?: number;
}

export interface Latencies {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  failed: number;
}

export interface PhaseRequests {
  /** Requests naming a fleet repository, per scanned repository. */
  perRepo: number;
  readsPerRepo: number;
  writesPerRepo: number;
  /** Installation tokens and app endpoints (per process, not per repository). */
  app: number;
  /** Other repositories' endpoints: GitHub-hosted datasources (Actions' tags), per scanned repository. */
  otherPerRepo: number;
  /** What the app itself counted in its scans (its log lines), per scan. */
  appReadsPerScan: number;
  appWritesPerScan: number;
}

export interface FleetFigures {
  shape: FleetShape;
  workers: number;
  concurrency: number | null;
  latencyMs: number;
  firstScan: {
    complete: boolean;
    repos: number;
    scanned: number;
    failedJobs: number;
    seconds: number;
    installationAckMs: number;
    soloScansPerMin: number | null;
    duoScansPerMin: number | null;
    overallScansPerMin: number;
    scanMs: { p50: number; p95: number; max: number };
    github: PhaseRequests;
  };
  unchanged: null | { complete: boolean; seconds: number; scans: number; scansPerMin: number; github: PhaseRequests; outcomes: Record<string, number> };
  registries: { requests: Record<Ecosystem, number>; uniquePackages: Record<Ecosystem, number>; repeats: Record<Ecosystem, number>; osvBatches: number; osvRecordFetches: number; osvQueries: number; unknownPaths: number; osvRecords: number };
  ack: Latencies;
  /** Serve's own response times of the same deliveries (Probot's request log), ms. */
  serveAck: { count: number; p50: number; p95: number; p99: number; max: number };
  /** The machine's load average at the end (1, 5, 15 min): the figures are only as quiet as the machine. */
  loadAverage: number[];
  /** GitHub requests to other repositories, by endpoint shape, both phases. */
  otherEndpoints: Record<string, number>;
  database: { bytesAfterFirst: number; bytesAfterUnchanged: number | null; perRepoAfterFirst: number; perRepoAfterUnchanged: number | null };
  /** Peak resident set (VmHWM) per process, in bytes. */
  peakRss: Record<string, number>;
  violations: number;
}

interface Proc {
  name: string;
  child: ChildProcess;
  tail: () => string;
  exited: Promise<number | null>;
}

interface ScanLine {
  repo: string;
  trigger: string;
  outcome: string;
  duration_ms: number;
  reads: number;
  writes: number;
  at: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Peak resident set size of a live process, from /proc (VmHWM), in bytes; null when unreadable. */
export function peakRssOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Run the fleet; always cleans up its processes, servers and database. */
export async function runFleet(opts: FleetOptions): Promise<FleetFigures> {
  const log = opts.progress ?? ((l: string) => process.stdout.write(`${l}\n`));
  const workersWanted = Math.min(2, Math.max(1, opts.workers ?? 2));
  const ackRate = opts.ackRate ?? 5;
  const latencyMs = opts.latencyMs ?? 50;
  const timeoutMs = opts.timeoutMs ?? 45 * 60_000;
  const corpus = opts.corpusDir ?? CORPUS_DIR;
  const soloScans = Math.min(opts.repos, opts.soloScans ?? Math.max(20, Math.round(opts.repos / 10)));

  const cleanups: Array<() => Promise<unknown>> = [];
  const procs: Proc[] = [];
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const checkInterrupted = (): void => {
    if (interrupted) throw new Error("interrupted");
  };

  try {
    // ---- the fleet and the fakes ----
    const t0 = performance.now();
    const fleet = generateFleet(loadCorpus(path.join(corpus, "repos")), { count: opts.repos, owner: "fleet", ...opts.shares });
    const shape = describeFleet(fleet);
    const gh = new FakeGitHub();
    await gh.start();
    cleanups.push(() => gh.stop());
    for (const r of fleet) gh.addRepo(r.fullName, r.files);
    // Repositories of their own for the acknowledgment pushes: a manifest changed, so serve queues a scan.
    const ackRepos: Array<{ name: string; payload: Record<string, unknown> }> = [];
    for (let i = 0; i < 10; i++) {
      const name = `fleet-ack/a${i}`;
      const files = { "requirements.txt": "flask==2.0.0\nrequests==2.19.0\n", "README.md": "# ack\n", ".github/cowabunga.yml": "updates:\n  enabled: false\n" };
      const first = gh.addRepo(name, files);
      const second = gh.commitFiles(name, { ...files, "requirements.txt": "flask==2.0.1\nrequests==2.19.0\n" }, "bump flask");
      ackRepos.push({ name, payload: gh.pushPayload(name, first, second) });
    }
    const registries = new FakeRegistries({ latencyMs, osvDir: path.join(corpus, "osv") });
    await registries.start();
    cleanups.push(() => registries.stop());
    log(
      `fleet: ${shape.repos} repositories (${shape.bySize.small} small, ${shape.bySize.medium} medium, ${shape.bySize.large} large; files per repository min ${shape.files.min}, median ${shape.files.median}, max ${shape.files.max}; ${(shape.bytes / 1e6).toFixed(0)} MB of content) generated in ${((performance.now() - t0) / 1000).toFixed(1)} s; fake registries with ${latencyMs} ms latency and ${registries.osvRecords} OSV records`,
    );

    // ---- PostgreSQL and the processes ----
    const db = await createTestDatabase("bench_fleet");
    cleanups.push(() => db.drop());
    const dataDir = mkdtempSync(path.join(tmpdir(), "cowabunga-fleet-"));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const queue = new PgBossJobQueue({ connectionString: db.url, reapIntervalMs: 0 });
    await queue.start();
    cleanups.push(() => queue.stop({ timeoutMs: 2_000 }));

    const secret = `whsec-${randomUUID()}`;
    const key = testPrivateKey();
    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      APP_ID: "1",
      PRIVATE_KEY: key,
      GHE_HOST: gh.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
      DATABASE_URL: db.url,
      COWABUNGA_DATA_DIR: dataDir,
      COWABUNGA_GITHUB_THROTTLE: "false",
      COWABUNGA_ALLOW_PRIVATE_URLS: "true",
      COWABUNGA_BACKGROUND_TIMERS: "false",
      COWABUNGA_OFFLINE: "",
      COWABUNGA_OSV_DB: "",
      REDIS_URL: "",
      ...registries.env(),
      ...(opts.concurrency ? { COWABUNGA_CONCURRENCY: String(opts.concurrency) } : {}),
    };
    delete baseEnv.PRIVATE_KEY_PATH;
    delete baseEnv.WEBHOOK_PROXY_URL;
    delete baseEnv.NODE_ENV;

    const scans: ScanLine[] = [];
    const fleetNames = new Set(fleet.map((r) => r.fullName.toLowerCase()));
    // Each child logs to a file, never to a pipe: a pipe the bench drains late would block the child's
    // (synchronous) log writes and stall its event loop, which is the bench's latency, not the app's. The
    // files are read incrementally (pump) for the scan lines and serve's request times.
    const pumps: Array<() => void> = [];
    const spawnCli = (name: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (l: string) => void): Proc => {
      const file = path.join(dataDir, `${name}.log`);
      const fd = openSync(file, "a");
      const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT, env, stdio: ["ignore", fd, fd] });
      closeSync(fd);
      let tail = "";
      let partial = "";
      let offset = 0;
      const buf = Buffer.alloc(1 << 20);
      const pump = (): void => {
        let rfd: number;
        try {
          rfd = openSync(file, "r");
        } catch {
          return;
        }
        try {
          for (;;) {
            const n = readSync(rfd, buf, 0, buf.length, offset);
            if (n <= 0) break;
            offset += n;
            const lines = (partial + buf.subarray(0, n).toString("utf8")).split("\n");
            partial = lines.pop() ?? "";
            for (const l of lines) {
              onLine?.(l);
              tail = (tail + l + "\n").slice(-6000);
            }
          }
        } finally {
          closeSync(rfd);
        }
      };
      pumps.push(pump);
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      const p: Proc = { name, child, tail: () => (pump(), tail), exited };
      procs.push(p);
      return p;
    };
    const pumpTimer = setInterval(() => pumps.forEach((f) => f()), 250);
    cleanups.push(async () => clearInterval(pumpTimer));
    const scanListener = (l: string): void => {
      if (!l.includes('"scan":{')) return;
      try {
        const s = (JSON.parse(l) as { scan?: Omit<ScanLine, "at"> }).scan;
        if (s && typeof s.repo === "string") scans.push({ ...s, at: performance.now() });
      } catch {
        /* not a JSON log line */
      }
    };
    const waitReady = async (p: Proc, url: string, what: string): Promise<void> => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        checkInterrupted();
        if (p.child.exitCode !== null) throw new Error(`${what} exited (${p.child.exitCode}):\n${p.tail()}`);
        const res = await fetch(url).catch(() => null);
        if (res?.status === 200) return;
        if (Date.now() > deadline) throw new Error(`${what} not ready after 120 s:\n${p.tail()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    const servePort = await freePort();
    let onServeLine: (l: string) => void = () => undefined;
    const serve = spawnCli("serve", ["serve"], { ...baseEnv, WEBHOOK_SECRET: secret, PORT: String(servePort), HOST: "127.0.0.1" }, (l) => onServeLine(l));
    const startWorker = async (name: string): Promise<Proc> => {
      const port = await freePort();
      const w = spawnCli(name, ["worker", "--port", String(port)], { ...baseEnv, HOST: "127.0.0.1" }, scanListener);
      await waitReady(w, `http://127.0.0.1:${port}/readyz`, name);
      return w;
    };
    await waitReady(serve, `http://127.0.0.1:${servePort}/readyz`, "serve");
    const workerA = await startWorker("worker-a");
    log(`serve (pid ${serve.child.pid}) and worker-a (pid ${workerA.child.pid}) ready`);

    // ---- GitHub request accounting (tallied and dropped as it goes, so memory stays flat) ----
    const tally = { own: 0, reads: 0, writes: 0, app: 0, other: 0 };
    const otherEndpoints: Record<string, number> = {};
    const resetTally = (): void => {
      drain();
      Object.assign(tally, { own: 0, reads: 0, writes: 0, app: 0, other: 0 });
    };
    const repoOf = (r: RecordedRequest): string | null => {
      if (r.kind === "graphql") {
        const v = ((r.body ?? {}) as { variables?: { owner?: unknown; name?: unknown; repo?: unknown } }).variables ?? {};
        return typeof v.owner === "string" ? `${v.owner}/${String(v.name ?? v.repo ?? "")}`.toLowerCase() : null;
      }
      const m = /^\/repos\/([^/]+)\/([^/]+)/.exec(r.path);
      return m ? `${m[1]}/${m[2]}`.toLowerCase() : null;
    };
    const drain = (): void => {
      for (const r of gh.requests) {
        if (r.kind === "rest" && (r.path.startsWith("/app/") || r.path === "/app" || r.path.startsWith("/installation/"))) {
          tally.app++;
          continue;
        }
        const repo = repoOf(r);
        if (repo && fleetNames.has(repo)) {
          tally.own++;
          if (r.kind === "graphql" || r.method === "GET") tally.reads++;
          else tally.writes++;
        } else if (repo && !repo.startsWith("fleet-ack/")) {
          tally.other++;
          const shape = `${r.method} ${r.path.replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/{o}/{r}").replace(/\/[0-9a-f]{40}/g, "/{sha}").slice(0, 80)}`;
          otherEndpoints[shape] = (otherEndpoints[shape] ?? 0) + 1;
        }
      }
      gh.requests.length = 0;
    };
    const phaseRequests = (scanned: number, lines: readonly ScanLine[]): PhaseRequests => {
      drain();
      const n = Math.max(1, scanned);
      const sum = (f: (s: ScanLine) => number): number => lines.reduce((a, s) => a + f(s), 0);
      return {
        perRepo: tally.own / n,
        readsPerRepo: tally.reads / n,
        writesPerRepo: tally.writes / n,
        app: tally.app,
        otherPerRepo: tally.other / n,
        appReadsPerScan: lines.length ? sum((s) => s.reads) / lines.length : NaN,
        appWritesPerScan: lines.length ? sum((s) => s.writes) / lines.length : NaN,
      };
    };
    resetTally();

    // ---- the acknowledgment sender: a thread of its own (./ack-sender.mjs), open loop ----
    const latencies: number[] = [];
    let ackResult: { latencies: number[]; statuses: Record<string, number>; failed: number } | null = null;
    const deliver = async (event: string, payload: unknown): Promise<{ status: number; ms: number }> => {
      const body = JSON.stringify(payload);
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${servePort}/api/github/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": randomUUID(), "x-hub-signature-256": sign(secret, body) },
        body,
        signal: AbortSignal.timeout(120_000),
      });
      await res.text();
      return { status: res.status, ms: performance.now() - started };
    };
    let sender: Worker | null = null;
    let senderDone: Promise<void> = Promise.resolve();
    const startAcks = (): void => {
      if (ackRate <= 0) return;
      sender = new Worker(new URL("./ack-sender.mjs", import.meta.url), {
        workerData: { url: `http://127.0.0.1:${servePort}/api/github/webhooks`, secret, rate: ackRate, deliveries: ackRepos.map((a) => ({ event: "push", body: JSON.stringify(a.payload) })) },
      });
      const w = sender;
      senderDone = new Promise<void>((resolve, reject) => {
        w.on("message", (m: { progress?: number[]; done?: typeof ackResult }) => {
          if (m.progress) latencies.push(...m.progress);
          if (m.done) {
            ackResult = m.done;
            resolve();
          }
        });
        w.once("error", reject);
        w.once("exit", () => resolve());
      });
      cleanups.push(() => w.terminate());
    };
    const stopAcks = async (): Promise<void> => {
      sender?.postMessage("stop");
      await senderDone;
    };
    // Serve's own view of each acknowledgment (Probot's request log: responseTime), beside the client's.
    const serverAcks: number[] = [];
    const serveListener = (l: string): void => {
      if (!l.includes("responseTime") || !l.includes("/api/github/webhooks")) return;
      try {
        const t = (JSON.parse(l) as { responseTime?: unknown }).responseTime;
        if (typeof t === "number") serverAcks.push(t);
      } catch {
        /* not JSON */
      }
    };

    // ---- phase 1: the first scan ----
    const installation = {
      action: "created",
      installation: { id: gh.installationId, account: { login: "fleet" } },
      repositories: fleet.map((r) => ({ id: gh.repo(r.fullName).id, name: r.fullName.split("/")[1], full_name: r.fullName, private: true })),
      sender: { login: "alice", type: "User" },
    };
    const tStart = performance.now();
    const inst = await deliver("installation", installation);
    if (inst.status !== 200) throw new Error(`serve answered the installation webhook with ${inst.status}:\n${serve.tail()}`);
    log(`installation webhook (${fleet.length} repositories) acknowledged in ${inst.ms.toFixed(0)} ms; first scan running`);
    onServeLine = serveListener;
    startAcks();

    const done = new Map<string, string>(); // fleet repo → last first-scan outcome
    let seen = 0;
    const absorb = (): void => {
      for (const f of pumps) f();
      for (; seen < scans.length; seen++) {
        const s = scans[seen]!;
        if (fleetNames.has(s.repo.toLowerCase()) && s.trigger === "installation") done.set(s.repo.toLowerCase(), s.outcome);
      }
    };
    const scannedCount = (): number => [...done.values()].filter((o) => o === "scanned" || o === "unchanged").length;
    const every = opts.progressEveryMs ?? 10_000;
    let lastProgress = performance.now();
    const progress = async (phase: string, extra = ""): Promise<void> => {
      if (performance.now() - lastProgress < every) return;
      lastProgress = performance.now();
      const d = await queue.depth().catch(() => null);
      const sorted = [...latencies].sort((a, b) => a - b);
      log(
        `  [${((performance.now() - tStart) / 1000).toFixed(0)} s] ${phase}: ${scannedCount()}/${fleet.length} scanned${extra}; queue ${d ? `${d.queued} waiting, ${d.running} running, ${d.retry} retrying, ${d.failed} failed` : "?"}; acks ${latencies.length} (p99 so far ${percentile(sorted, 99).toFixed(1)} ms)`,
      );
    };
    const deadline = tStart + timeoutMs;
    const alive = (): void => {
      checkInterrupted();
      for (const p of procs) if (p.child.exitCode !== null && (p.name === "serve" || p.name.startsWith("worker"))) throw new Error(`${p.name} exited (${p.child.exitCode}):\n${p.tail()}`);
    };

    // 1a: worker A alone.
    let soloRate: number | null = null;
    let tB = 0;
    let countB = 0;
    let workerB: Proc | null = null;
    while (performance.now() < deadline) {
      alive();
      absorb();
      if (scannedCount() >= (workersWanted === 2 ? soloScans : fleet.length)) break;
      await progress("first scan, 1 worker");
      await new Promise((r) => setTimeout(r, 200));
    }
    absorb();
    const tSolo = performance.now();
    const soloDone = scannedCount();
    soloRate = soloDone > 0 ? soloDone / ((tSolo - tStart) / 60_000) : null;
    // 1b: worker B joins.
    if (workersWanted === 2 && soloDone < fleet.length && performance.now() < deadline) {
      log(`  worker-a alone: ${soloDone} scans in ${((tSolo - tStart) / 1000).toFixed(1)} s; starting worker-b`);
      workerB = await startWorker("worker-b");
      absorb();
      tB = performance.now();
      countB = scannedCount();
      log(`  worker-b (pid ${workerB.child.pid}) ready at ${countB} scanned`);
    }
    let failedJobs = 0;
    let idleSince: number | null = null;
    while (performance.now() < deadline) {
      alive();
      absorb();
      if (scannedCount() >= fleet.length) break;
      const d = await queue.depth();
      failedJobs = d.failed;
      // Everything drained but some repositories not scanned (failed jobs): stop waiting after 30 s.
      if (d.queued + d.running + d.retry === 0) {
        idleSince ??= performance.now();
        if (performance.now() - idleSince > 30_000) break;
      } else idleSince = null;
      await progress(`first scan, ${workerB ? 2 : 1} worker${workerB ? "s" : ""}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    absorb();
    const tEnd = performance.now();
    const scanned = scannedCount();
    await stopAcks();
    failedJobs = (await queue.depth()).failed;
    const firstLines = scans.filter((s) => fleetNames.has(s.repo.toLowerCase()) && s.trigger === "installation");
    const firstGithub = phaseRequests(scanned, firstLines.filter((s) => s.outcome === "scanned"));
    const durations = firstLines.filter((s) => s.outcome === "scanned").map((s) => s.duration_ms).sort((a, b) => a - b);
    const duoRate = workerB && scanned > countB ? (scanned - countB) / ((tEnd - tB) / 60_000) : null;
    const dbSize = async (): Promise<number> => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const { rows } = await c.query<{ n: string }>("SELECT pg_database_size(current_database()) AS n");
        return Number(rows[0]!.n);
      } finally {
        await c.end();
      }
    };
    const bytesAfterFirst = await dbSize();
    log(`first scan: ${scanned}/${fleet.length} repositories in ${((tEnd - tStart) / 1000).toFixed(1)} s${scanned < fleet.length ? " (INCOMPLETE)" : ""}`);

    // ---- phase 2: unchanged ----
    let unchanged: FleetFigures["unchanged"] = null;
    let bytesAfterUnchanged: number | null = null;
    if (!opts.skipUnchanged && scanned > 0) {
      // Let the last acknowledgment pushes' scans finish, so they are not counted here.
      const settle = performance.now() + 60_000;
      while (performance.now() < settle) {
        const d = await queue.depth();
        if (d.queued + d.running + d.retry === 0) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      resetTally();
      const mark = scans.length;
      const tU = performance.now();
      const enq = spawnCli("enqueue", ["enqueue", "--installation", String(gh.installationId)], baseEnv);
      const code = await enq.exited;
      if (code !== 0) throw new Error(`cowabunga enqueue exited ${code}:\n${enq.tail()}`);
      log(`unchanged pass: ${enq.tail().trim().split("\n").at(-1)}`);
      const udeadline = tU + Math.max(120_000, timeoutMs / 3);
      const seenU = new Map<string, string>();
      let lastU = performance.now();
      while (performance.now() < udeadline) {
        alive();
        for (const s of scans.slice(mark)) if (fleetNames.has(s.repo.toLowerCase()) && s.trigger === "enqueue") seenU.set(s.repo.toLowerCase(), s.outcome);
        if (seenU.size >= scanned) break;
        if (performance.now() - lastU > every) {
          lastU = performance.now();
          log(`  [${((performance.now() - tU) / 1000).toFixed(0)} s] unchanged pass: ${seenU.size}/${scanned}`);
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      const tUEnd = performance.now();
      for (const f of pumps) f();
      const lines = scans.slice(mark).filter((s) => fleetNames.has(s.repo.toLowerCase()) && s.trigger === "enqueue");
      const outcomes: Record<string, number> = {};
      for (const o of seenU.values()) outcomes[o] = (outcomes[o] ?? 0) + 1;
      unchanged = {
        complete: seenU.size >= scanned,
        seconds: (tUEnd - tU) / 1000,
        scans: seenU.size,
        scansPerMin: seenU.size / ((tUEnd - tU) / 60_000),
        github: phaseRequests(seenU.size, lines),
        outcomes,
      };
      bytesAfterUnchanged = await dbSize();
    }

    const peakRss: Record<string, number> = {};
    for (const p of [serve, workerA, ...(workerB ? [workerB] : [])]) {
      const v = peakRssOf(p.child.pid);
      if (v !== null) peakRss[p.name] = v;
    }
    peakRss["bench (fake GitHub, registries, OSV)"] = process.resourceUsage().maxRSS * 1024;

    const final = ackResult as { latencies: number[]; statuses: Record<string, number>; failed: number } | null;
    const sorted = [...(final?.latencies ?? latencies)].sort((a, b) => a - b);
    const serverSorted = [...serverAcks].sort((a, b) => a - b);
    return {
      shape,
      workers: workerB ? 2 : 1,
      concurrency: opts.concurrency ?? null,
      latencyMs,
      firstScan: {
        complete: scanned >= fleet.length,
        repos: fleet.length,
        scanned,
        failedJobs,
        seconds: (tEnd - tStart) / 1000,
        installationAckMs: inst.ms,
        soloScansPerMin: soloRate,
        duoScansPerMin: duoRate,
        overallScansPerMin: scanned / ((tEnd - tStart) / 60_000),
        scanMs: { p50: percentile(durations, 50), p95: percentile(durations, 95), max: durations.at(-1) ?? NaN },
        github: firstGithub,
      },
      unchanged,
      registries: {
        requests: { ...registries.requests },
        uniquePackages: Object.fromEntries(Object.entries(registries.packages).map(([k, v]) => [k, v.size])) as Record<Ecosystem, number>,
        repeats: { ...registries.repeats },
        osvBatches: registries.osvBatches,
        osvRecordFetches: registries.osvRecordFetches,
        osvQueries: registries.osvQueries,
        unknownPaths: registries.unknownPaths,
        osvRecords: registries.osvRecords,
      },
      ack: { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, statuses: final?.statuses ?? {}, failed: final?.failed ?? 0 },
      serveAck: { count: serverSorted.length, p50: percentile(serverSorted, 50), p95: percentile(serverSorted, 95), p99: percentile(serverSorted, 99), max: serverSorted.at(-1) ?? NaN },
      loadAverage: loadavg(),
      database: {
        bytesAfterFirst,
        bytesAfterUnchanged,
        perRepoAfterFirst: bytesAfterFirst / Math.max(1, scanned),
        perRepoAfterUnchanged: bytesAfterUnchanged === null ? null : bytesAfterUnchanged / Math.max(1, scanned),
      },
      peakRss,
      otherEndpoints: Object.fromEntries(Object.entries(otherEndpoints).sort((a, b) => b[1] - a[1]).slice(0, 8)),
      violations: gh.violations.length,
    };
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    // Children first (SIGTERM, then SIGKILL), then the servers, the database and the data directory.
    await Promise.all(
      procs.map(async (p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return;
        p.child.kill("SIGTERM");
        const killer = setTimeout(() => p.child.kill("SIGKILL"), 5_000);
        await p.exited;
        clearTimeout(killer);
      }),
    );
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }
}

export type { FleetRepo };
