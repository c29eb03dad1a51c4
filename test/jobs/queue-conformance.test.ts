/**
 * One conformance suite for both job queues (issue 11, item 2): the in-process MemoryJobQueue and the
 * durable PgBossJobQueue against the real PostgreSQL (its own database for this file; skipped with a
 * message when PostgreSQL is absent, failing under CI=true).
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MemoryJobQueue } from "../../src/jobs/memory.js";
import { PgBossJobQueue } from "../../src/jobs/pg-boss.js";
import { InvalidJobError, type Job, type JobQueue, type JobRunContext } from "../../src/jobs/types.js";
import { waitFor } from "../helpers/app-server.js";
import { createTestDatabase, postgresAvailable } from "../helpers/services.js";

const pgOk = await postgresAvailable("job queue conformance (PgBossJobQueue)");

const job = (repo: string, kind: Job["kind"] = "scan", payload: Record<string, unknown> = {}): Job => ({ kind, repo, installation_id: 42, payload, source: "test" });

interface Impl {
  name: string;
  skip: boolean;
  /** A fresh, empty queue with one retry. */
  make(): JobQueue;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

let db: { url: string; drop: () => Promise<void> } | null = null;
let schemaSeq = 0;

const impls: Impl[] = [
  { name: "MemoryJobQueue", skip: false, make: () => new MemoryJobQueue({ retry: { retries: 1, delayMs: 20 } }) },
  {
    name: "PgBossJobQueue",
    skip: !pgOk,
    setup: async () => {
      db = await createTestDatabase("jobs_conformance");
    },
    teardown: async () => {
      await db?.drop();
    },
    // A pg-boss schema per test: every test starts from an empty queue.
    make: () => new PgBossJobQueue({ connectionString: db!.url, schema: `pgboss_t${++schemaSeq}`, retry: { retries: 1, delayMs: 1000 }, pollingIntervalSeconds: 0.5, reapIntervalMs: 0, busyDelaySeconds: 1 }),
  },
];

for (const impl of impls) {
  describe.skipIf(impl.skip)(`job queue conformance: ${impl.name}`, () => {
    let queues: JobQueue[] = [];
    const make = (): JobQueue => {
      const q = impl.make();
      queues.push(q);
      return q;
    };
    beforeAll(async () => impl.setup?.(), 60_000);
    afterAll(async () => impl.teardown?.(), 60_000);
    afterEach(async () => {
      await Promise.all(queues.map((q) => q.stop({ timeoutMs: 5_000 })));
      queues = [];
    });

    it("runs a job and hands the handler exactly what was queued", async () => {
      const q = make();
      const seen: Array<{ job: Job; ctx: JobRunContext }> = [];
      const queued = job("acme/widgets", "ci_result", { event: "check_suite", nested: { list: [1, "two", null] } });
      const r = await q.enqueue(queued);
      expect(r.status).toBe("queued");
      await q.work(async (j, ctx) => void seen.push({ job: j, ctx }));
      await waitFor(() => seen.length === 1, "the job to run");
      expect(seen[0].job).toEqual(queued);
      expect(seen[0].ctx.attempt).toBe(1);
      expect(seen[0].ctx.id).toBe(r.status === "queued" ? r.id : "");
    });

    it("never runs two jobs of one repository at once, across kinds; other repositories run meanwhile", async () => {
      const q = make();
      const active = new Map<string, number>();
      let overlap = 0;
      let parallelRepos = 0;
      const done: string[] = [];
      for (let i = 0; i < 3; i++) {
        await q.enqueue(job("acme/one", i === 1 ? "ci_result" : "command", { i }));
        await q.enqueue(job("acme/two", "command", { i }));
      }
      await q.work(
        async (j) => {
          const key = j.repo!;
          active.set(key, (active.get(key) ?? 0) + 1);
          if (active.get(key)! > 1) overlap++;
          if ([...active.values()].filter((n) => n > 0).length > 1) parallelRepos++;
          await new Promise((r) => setTimeout(r, 150));
          active.set(key, active.get(key)! - 1);
          done.push(`${key}#${String(j.payload.i)}`);
        },
        { concurrency: 2 },
      );
      await waitFor(() => done.length === 6, "all six jobs", () => ` (done: ${done.join(", ")})`, 30_000);
      expect(overlap).toBe(0);
      expect(parallelRepos).toBeGreaterThan(0);
    }, 40_000);

    it("coalesces waiting jobs with the same key; other keys and repositories are kept", async () => {
      const q = make();
      expect((await q.enqueue(job("acme/widgets", "scan", { head: "a" }), { coalesceKey: "scan" })).status).toBe("queued");
      expect((await q.enqueue(job("acme/widgets", "scan", { head: "b" }), { coalesceKey: "scan" })).status).toBe("coalesced");
      expect((await q.enqueue(job("ACME/Widgets", "scan", { head: "c" }), { coalesceKey: "scan" })).status).toBe("coalesced");
      expect((await q.enqueue(job("acme/widgets"), { coalesceKey: "rescan" })).status).toBe("queued");
      expect((await q.enqueue(job("acme/other"), { coalesceKey: "scan" })).status).toBe("queued");
      expect((await q.enqueue(job("acme/widgets", "ci_result"))).status).toBe("queued");
      expect((await q.enqueue(job("acme/widgets", "ci_result"))).status).toBe("queued");
      expect((await q.depth()).queued).toBe(5);
      const ran: string[] = [];
      const heads: unknown[] = [];
      await q.work(async (j) => {
        ran.push(`${j.repo}:${j.kind}`);
        if (j.repo === "acme/widgets" && j.kind === "scan") heads.push(j.payload.head ?? "rescan");
      });
      await waitFor(() => ran.length === 5, "the five distinct jobs", () => ` (ran: ${ran.join(", ")})`, 20_000);
      expect(ran.filter((r) => r === "acme/widgets:scan"), ran.join(", ")).toHaveLength(2);
      // The merged scan runs with the newest payload.
      expect(heads).toContain("c");
      expect(heads).not.toContain("a");
    }, 30_000);

    it("a new scan queued while one runs is kept (coalescing only merges waiting ones)", async () => {
      const q = make();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const ran: number[] = [];
      await q.enqueue(job("acme/widgets", "scan", { n: 1 }), { coalesceKey: "scan" });
      await q.work(async (j) => {
        ran.push(Number(j.payload.n));
        if (j.payload.n === 1) await gate;
      });
      await waitFor(async () => (await q.depth()).running === 1, "the first scan to start");
      expect((await q.enqueue(job("acme/widgets", "scan", { n: 2 }), { coalesceKey: "scan" })).status).toBe("queued");
      release();
      await waitFor(() => ran.length === 2, "the second scan", () => ` (ran: ${ran.join(", ")})`);
      expect(ran).toEqual([1, 2]);
    }, 30_000);

    it("an idempotency key (a redelivered webhook) queues at most once", async () => {
      const q = make();
      const key = `delivery-${randomUUID()}`;
      expect((await q.enqueue(job("acme/widgets", "ci_result"), { idempotencyKey: key })).status).toBe("queued");
      expect((await q.enqueue(job("acme/widgets", "ci_result"), { idempotencyKey: key })).status).toBe("duplicate");
      expect((await q.depth()).queued).toBe(1);
    });

    it("enqueueMany (one delivery naming many repositories) behaves as enqueue job by job, and a redelivery queues nothing", async () => {
      const q = make();
      expect(q.enqueueMany).toBeTypeOf("function");
      if (!q.enqueueMany) return;
      expect((await q.enqueue(job("acme/a", "scan", { head: "old" }), { coalesceKey: "scan" })).status).toBe("queued");
      const delivery = `delivery-${randomUUID()}`;
      const items = [
        { job: job("acme/a", "scan", { head: "new" }), opts: { coalesceKey: "scan", idempotencyKey: `${delivery}:acme/a` } },
        { job: job("acme/b", "scan", { head: "b1" }), opts: { coalesceKey: "scan", idempotencyKey: `${delivery}:acme/b` } },
        { job: job("acme/c", "scan", { head: "c1" }), opts: { coalesceKey: "scan" } },
        { job: job("acme/c", "ci_result", { n: 1 }), opts: { idempotencyKey: `${delivery}:acme/c` } },
      ];
      expect((await q.enqueueMany(items)).map((r) => r.status)).toEqual(["coalesced", "queued", "queued", "queued"]);
      // The same delivery again: its keys are taken, nothing is queued; the scan without a key coalesces.
      expect((await q.enqueueMany(items)).map((r) => r.status)).toEqual(["duplicate", "duplicate", "coalesced", "duplicate"]);
      expect((await q.depth()).queued).toBe(4);
      const ran: string[] = [];
      await q.work(async (j) => void ran.push(`${j.repo}:${j.kind}:${String(j.payload.head ?? j.payload.n)}`));
      await waitFor(() => ran.length === 4, "the four jobs", () => ` (ran: ${ran.join(", ")})`, 20_000);
      expect(ran.sort()).toEqual(["acme/a:scan:new", "acme/b:scan:b1", "acme/c:ci_result:1", "acme/c:scan:c1"]);
    }, 30_000);

    it("enqueueMany of a thousand repositories takes one call and queues each once", async () => {
      const q = make();
      expect(q.enqueueMany).toBeTypeOf("function");
      if (!q.enqueueMany) return;
      const items = Array.from({ length: 1000 }, (_, i) => ({ job: job(`org/r${i}`, "scan", { n: i }), opts: { coalesceKey: "scan", idempotencyKey: `inst-1:org/r${i}` } }));
      const results = await q.enqueueMany(items);
      expect(results.filter((r) => r.status === "queued")).toHaveLength(1000);
      expect(new Set(results.map((r) => (r.status === "queued" ? r.id : "")))).toHaveProperty("size", 1000);
      expect((await q.list({ limit: 2000 })).filter((v) => v.state === "queued")).toHaveLength(1000);
    }, 30_000);

    it("retries a failing job with backoff, then it succeeds", async () => {
      const q = make();
      const attempts: number[] = [];
      const finished: boolean[] = [];
      await q.enqueue(job("acme/widgets", "update_prs"));
      await q.work(
        async (_j, ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt === 1) throw new Error("GitHub answered 502");
        },
        { events: { onFinish: (_j, _c, o) => void finished.push(o.ok) } },
      );
      await waitFor(() => attempts.length === 2 && finished.length === 2, "the retry", () => ` (attempts: ${attempts.join(", ")})`, 20_000);
      expect(attempts).toEqual([1, 2]);
      expect(finished).toEqual([false, true]);
      await waitFor(async () => (await q.depth()).retry === 0 && (await q.depth()).running === 0, "the queue to settle");
      expect((await q.depth()).failed).toBe(0);
    }, 30_000);

    it("a job that exhausts its retries is failed, with its error, in list() and depth()", async () => {
      const q = make();
      await q.enqueue(job("acme/widgets", "revert", { sha: "abc" }));
      await q.enqueue(job("acme/other", "command"));
      await q.work(async (j) => {
        if (j.kind === "revert") throw new Error("cannot create the revert branch: 422 Reference already exists");
      });
      await waitFor(async () => (await q.depth()).failed === 1, "the job to fail for good", () => "", 20_000);
      const failed = (await q.list()).filter((v) => v.state === "failed");
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ kind: "revert", repo: "acme/widgets", attempts: 2, max_attempts: 2, state: "failed" });
      expect(failed[0].error).toContain("422 Reference already exists");
      expect(failed[0].finished_at).not.toBeNull();
      expect(await q.list({ repos: ["acme/other"] })).toEqual([]);
      expect(await q.list({ repos: ["ACME/widgets"] })).toHaveLength(1);
    }, 30_000);

    it("lists waiting jobs per repository before any worker runs, and reports readiness", async () => {
      const q = make();
      await q.enqueue(job("acme/a", "scan"), { coalesceKey: "scan" });
      await q.enqueue(job("acme/b", "command"));
      const all = await q.list();
      expect(all.map((v) => [v.repo, v.kind, v.state, v.attempts]).sort()).toEqual([
        ["acme/a", "scan", "queued", 0],
        ["acme/b", "command", "queued", 0],
      ]);
      expect((await q.list({ repos: ["acme/b"] })).map((v) => v.kind)).toEqual(["command"]);
      expect(await q.ready()).toBe(true);
    });

    it("rejects a job that is not a job: bad repository name, cron kind with a repository missing, oversized payload", async () => {
      const q = make();
      await expect(q.enqueue(job("not a repo"))).rejects.toBeInstanceOf(InvalidJobError);
      await expect(q.enqueue({ kind: "scan", repo: null, installation_id: null, payload: {} })).rejects.toThrow(/needs a repository/);
      await expect(q.enqueue(job("acme/widgets", "ci_result", { blob: "x".repeat(600 * 1024) }))).rejects.toThrow(/limit is/);
      await expect(q.enqueue({ ...job("acme/widgets"), kind: "rm -rf" } as unknown as Job)).rejects.toBeInstanceOf(InvalidJobError);
      expect((await q.depth()).queued).toBe(0);
    });
  });
}
