/**
 * Webhook → job (the only work a webhook request does) and the in-process queue's cron ticks.
 */
import { describe, expect, it } from "vitest";
import { dispatchEvent, scanJob, trimCiPayload } from "../../src/app/dispatch.js";
import { hashFraction } from "../../src/app/schedule.js";
import { MemoryJobQueue, type Timers } from "../../src/jobs/memory.js";
import { validateJob, type Job } from "../../src/jobs/types.js";
import { ALL_MANAGERS } from "../../src/scan/managers/index.js";

const repository = { name: "widgets", full_name: "acme/widgets", owner: { login: "acme" }, default_branch: "main" };
const opts = { managers: ALL_MANAGERS };

describe("dispatchEvent", () => {
  it("a push touching a manifest is one scan job keyed for coalescing and idempotency, with the push's head", () => {
    const d = dispatchEvent(
      "push",
      { ref: "refs/heads/main", before: "a".repeat(40), after: "b".repeat(40), commits: [{ added: [], modified: ["package.json"], removed: [] }], head_commit: { tree_id: "t".repeat(40) }, repository, installation: { id: 7 } },
      "d-1",
      opts,
    );
    expect(d.jobs).toHaveLength(1);
    const { job, opts: o } = d.jobs[0];
    expect(job).toMatchObject({ kind: "scan", repo: "acme/widgets", installation_id: 7, source: "d-1" });
    expect(job.payload.trigger).toMatchObject({ event: "push", deliveryId: "d-1", headSha: "b".repeat(40), treeSha: "t".repeat(40), before: "a".repeat(40) });
    expect(o).toEqual({ coalesceKey: "scan", idempotencyKey: "d-1:acme/widgets" });
    // What is queued survives JSON (it goes through PostgreSQL).
    expect(validateJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
  });

  it("pushes to other branches, bots' comments and unhandled actions queue nothing, and say why", () => {
    const other = dispatchEvent("push", { ref: "refs/heads/feature", before: "a", after: "b", commits: [{ modified: ["package.json"] }], repository }, "d-2", opts);
    expect(other.jobs).toEqual([]);
    expect(other.ignored).toMatch(/push skipped/);
    const bot = dispatchEvent("issue_comment", { action: "created", issue: { number: 1, body: "<!-- cowabunga:issue:x -->" }, comment: { body: "/cowabunga rescan", user: { login: "renovate[bot]", type: "Bot" } }, repository }, "d-3", opts);
    expect(bot.jobs).toEqual([]);
    expect(dispatchEvent("pull_request", { action: "opened", repository }, "d-4", opts).jobs).toEqual([]);
    expect(dispatchEvent("star", { action: "created", repository }, "d-5", opts).ignored).toMatch(/needs no work/);
  });

  it("an installation queues one scan per repository; a failing default-branch build is a revert job", () => {
    const inst = dispatchEvent("installation", { action: "created", installation: { id: 9 }, repositories: [{ full_name: "acme/a", name: "a" }, { full_name: "acme/b", name: "b" }] }, "d-6", opts);
    expect(inst.jobs.map((j) => [j.job.repo, j.opts.idempotencyKey])).toEqual([
      ["acme/a", "d-6:acme/a"],
      ["acme/b", "d-6:acme/b"],
    ]);
    const failing = dispatchEvent("check_suite", { action: "completed", check_suite: { head_sha: "c".repeat(40), head_branch: "main", conclusion: "failure", pull_requests: [] }, repository, installation: { id: 9 } }, "d-7", opts);
    expect(failing.jobs[0].job.kind).toBe("revert");
    const onPr = dispatchEvent("check_suite", { action: "completed", check_suite: { head_sha: "c".repeat(40), head_branch: "cowabunga/x", conclusion: "success", pull_requests: [{ number: 3 }] }, repository }, "d-8", opts);
    expect(onPr.jobs[0].job.kind).toBe("ci_result");
  });

  it("CI payloads are cut to what the handlers read (the organisation, installation and sender details are not queued)", () => {
    const trimmed = trimCiPayload({ action: "completed", check_run: { id: 1 }, organization: { big: "x".repeat(10_000) }, installation: { id: 1 }, sender: { login: "a", type: "User", avatar_url: "u" }, repository: { ...repository, description: "d".repeat(5000) } });
    expect(Object.keys(trimmed).sort()).toEqual(["action", "check_run", "repository", "sender"]);
    expect(JSON.stringify(trimmed).length).toBeLessThan(400);
  });

  it("forced rescans coalesce apart from normal scans", () => {
    expect(scanJob("acme/widgets", 1, { event: "command", force: true }).opts.coalesceKey).toBe("rescan");
    expect(scanJob("acme/widgets", 1, { event: "push" }).opts.coalesceKey).toBe("scan");
  });
});

describe("schedule jitter", () => {
  it("is the same in every process for a repository and slot, and spread across repositories", () => {
    expect(hashFraction("acme/a@2026-01-01T06:00:00.000Z")).toBe(hashFraction("acme/a@2026-01-01T06:00:00.000Z"));
    const values = Array.from({ length: 200 }, (_, i) => hashFraction(`acme/r${i}@2026-01-01T06:00:00.000Z`));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.filter((v) => v < 0.5).length).toBeGreaterThan(60);
    expect(values.filter((v) => v >= 0.5).length).toBeGreaterThan(60);
  });
});

describe("MemoryJobQueue cron ticks", () => {
  it("queues a cron-kind job at each slot (one waiting tick at most) and stops with the queue", async () => {
    let now = new Date("2026-01-01T00:00:30Z");
    const pending: Array<{ fn: () => void; at: number }> = [];
    const timers: Timers = { setTimeout: (fn, ms) => pending.push({ fn, at: now.getTime() + ms }) - 1, clearTimeout: (h) => void (pending[h as number] = { fn: () => undefined, at: Infinity }) };
    const q = new MemoryJobQueue({ clock: () => now, timers });
    await q.every("scheduled_scan", "* * * * *");
    expect(pending).toHaveLength(1);
    expect(pending[0].at).toBe(Date.parse("2026-01-01T00:01:00Z"));
    // Fire two slots without a worker: the second tick coalesces into the waiting one.
    for (let i = 0; i < 2; i++) {
      const next = pending.filter((p) => p.at !== Infinity).sort((a, b) => a.at - b.at).find((p) => p.at >= now.getTime())!;
      now = new Date(next.at);
      next.at = Infinity;
      next.fn();
      await new Promise((r) => setImmediate(r));
    }
    const waiting = await q.list();
    expect(waiting.map((j) => [j.kind, j.repo, j.state])).toEqual([["scheduled_scan", null, "queued"]]);
    const ran: Job[] = [];
    await q.work(async (j) => void ran.push(j));
    await q.idle();
    expect(ran.map((j) => j.kind)).toEqual(["scheduled_scan"]);
    await q.stop();
  });
});
