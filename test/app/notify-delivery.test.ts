/**
 * Notifications in the app's hub with an injected clock and timers, a real SMTP server and the fake GitHub
 * served as GHES (issue 17): digest periods, email failure and retry on the backoff schedule with no scan,
 * STARTTLS and SMTPS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Octokit } from "@octokit/rest";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EmailChannel, type Alert } from "../../src/act/notify/index.js";
import type { GitHubOctokit } from "../../src/act/github/client.js";
import type { Assessment } from "../../src/assess/types.js";
import { NotificationHub } from "../../src/app/notifications.js";
import { NotificationRetryScheduler, type RetryTimers } from "../../src/app/notify-retry.js";
import { defaultConfig, type CowabungaConfig } from "../../src/config/schema.js";
import { FileStore } from "../../src/store/index.js";
import { makeIssue, makeSystemHealth } from "../helpers/factories.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { waitFor } from "../helpers/app-server.js";
import { makeAlert, parseMail, SMTP_PASS, SMTP_USER, startSmtpPeer, TEST_TLS, type SmtpPeer } from "../act/notify/peers.js";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;
const REPO = "acme/shop";
const ref = { owner: "acme", repo: "shop" };

/** Timers the test fires by hand: it sees each delay the scheduler asks for. */
function manualTimers(): RetryTimers & { pending: Array<{ fn: () => void; ms: number; id: number }>; fireAll(): void } {
  let next = 1;
  const t = {
    pending: [] as Array<{ fn: () => void; ms: number; id: number }>,
    setTimeout(fn: () => void, ms: number) {
      const id = next++;
      t.pending.push({ fn, ms, id });
      return id;
    },
    clearTimeout(h: unknown) {
      t.pending = t.pending.filter((p) => p.id !== h);
    },
    fireAll() {
      const due = t.pending;
      t.pending = [];
      for (const p of due) p.fn();
    },
  };
  return t;
}

/** Poll a condition (the scheduler runs on its own after a timer fires) with a deadline. */
async function until<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  return (await waitFor(check, what)) as T;
}

function assessment(alerts: Alert[]): Assessment {
  return { system: makeSystemHealth({ overall_status: "critical" }), components: [], issues: [makeIssue({ id: "sec-1", severity: "critical", priority: "immediate", title: "shop-lib 1.0.0: CVE-2026-0001" })], dependencies: [], alerts, warnings: [] } as unknown as Assessment;
}

function configWith(notifications: Partial<CowabungaConfig["notifications"]>): CowabungaConfig {
  const c = defaultConfig();
  c.notifications = { ...c.notifications, github: { enabled: true, mention: [] }, email: { enabled: true, recipients: ["ops@example.com"], digest: "weekly" }, ...notifications };
  return c;
}

const critical = (at: Date): Alert => makeAlert({ key: "critical_cvss:sec-1", issue_ids: ["sec-1"], created_at: at.toISOString(), links: [], title: "Critical vulnerability: shop-lib" });
const coverage = (at: Date): Alert =>
  makeAlert({ key: "low_coverage:api", condition: "low_coverage", level: "low", issue_ids: [], created_at: at.toISOString(), links: [], title: "api test coverage is 12.0%" });

describe("the hub on GHES with a real SMTP server", () => {
  const gh = new FakeGitHub();
  let octokit: GitHubOctokit;
  let issueNumber: number;
  let smtp: SmtpPeer;
  let dir: string;
  let now: Date;
  let hub: NotificationHub | undefined;

  beforeAll(async () => {
    await gh.start();
    gh.addRepo(REPO, { "README.md": "# shop\n" });
    octokit = new Octokit({ baseUrl: `http://${gh.host}/api/v3`, auth: "ghs_test" }) as unknown as GitHubOctokit;
    issueNumber = (await octokit.request("POST /repos/{owner}/{repo}/issues", { ...ref, title: "shop-lib 1.0.0: CVE-2026-0001", body: "x" })).data.number as number;
  });
  afterAll(async () => gh.stop());
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowabunga-hub-"));
    now = new Date("2026-03-01T10:00:00.000Z");
  });
  afterEach(async () => {
    hub?.stop();
    hub = undefined;
    await smtp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (): Record<string, string> => ({ COWABUNGA_SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`, COWABUNGA_EMAIL_FROM: "cowabunga@example.org" });
  const digests = () => smtp.mails.filter((m) => /X-Cowabunga-Digest:/i.test(m.raw)).map((m) => parseMail(m.raw).parts.find((p) => p.type === "text/plain")!.body.replace(/\r\n/g, "\n"));

  it("a 1-hour digest: sent at the first scan with GHES links, not again within the hour, then listing only the alerts raised since, each with its time", async () => {
    smtp = await startSmtpPeer();
    const store = new FileStore({ root: dir, clock: () => now });
    await store.updateIssues(ref, () => [makeIssue({ id: "sec-1", severity: "critical", priority: "immediate", title: "shop-lib 1.0.0: CVE-2026-0001", github_issue_number: issueNumber })]);
    hub = new NotificationHub({ store, env: env(), clock: () => now, log: quiet, publicUrl: "https://cowabunga.example.org" });
    const config = configWith({ digest: { period: "1h" } });
    const t0 = now;

    let sentLog = (await hub.afterAssess({ octokit, ref, assessment: assessment([critical(t0)]), config, sentLog: {}, log: quiet })).sentLog;
    expect(digests()).toHaveLength(1);
    const first = digests()[0]!;
    expect(first).toMatch(/^1-hour maintenance summary for acme\/shop/);
    expect(first).toContain(`http://${gh.host}/acme/shop/issues/${issueNumber}`);
    expect(first).toContain(`- [critical] Critical vulnerability: shop-lib (${t0.toISOString()})`);
    expect(first).toContain("Dashboard: https://cowabunga.example.org/dashboard/acme/shop");

    now = new Date(t0.getTime() + 30 * 60_000);
    const half = await hub.afterAssess({ octokit, ref, assessment: assessment([critical(now)]), config, sentLog, log: quiet });
    sentLog = half.sentLog;
    expect(half.digest).toBe(false);
    expect(digests()).toHaveLength(1);

    now = new Date(t0.getTime() + 61 * 60_000);
    const later = await hub.afterAssess({ octokit, ref, assessment: assessment([critical(now), coverage(now)]), config, sentLog, log: quiet });
    expect(later.digest).toBe(true);
    expect(later.suppressed).toBeGreaterThan(0); // the critical alert is inside its quiet period
    const second = digests()[1]!;
    const listed = second.split("Alerts this period:\n")[1]!.split("\n\n")[0]!.split("\n");
    expect(listed).toEqual([`- [low] api test coverage is 12.0% (${now.toISOString()})`]);
    expect(second).not.toContain("github.com");
  });

  it("a repository whose scans all take the unchanged-tree shortcut still gets its digest when due, from the stored issues", async () => {
    smtp = await startSmtpPeer();
    const store = new FileStore({ root: dir, clock: () => now });
    const issue = makeIssue({ id: "sec-1", severity: "critical", priority: "immediate", title: "shop-lib 1.0.0: CVE-2026-0001", github_issue_number: issueNumber });
    await store.updateIssues(ref, () => [issue]);
    await store.putSystemHealth(ref, makeSystemHealth({ overall_status: "critical" }));
    hub = new NotificationHub({ store, env: env(), clock: () => now, log: quiet, publicUrl: "https://cowabunga.example.org" });
    const config = configWith({ digest: { period: "1h" } });
    const t0 = now;

    // Before any full scan: no stored notification context, so no digest (and no error).
    expect(await hub.digestIfDue({ octokit, ref, log: quiet })).toEqual({ due: false, errors: [] });

    await hub.afterAssess({ octokit, ref, assessment: assessment([critical(t0)]), config, sentLog: {}, log: quiet });
    expect(digests()).toHaveLength(1);

    // Unchanged scans within the hour: not due, nothing sent.
    now = new Date(t0.getTime() + 30 * 60_000);
    expect(await hub.digestIfDue({ octokit, ref, log: quiet })).toEqual({ due: false, errors: [] });
    expect(digests()).toHaveLength(1);

    // A new hub (a restart) and an unchanged scan after the period: the digest goes out, built from the store.
    hub.stop();
    hub = new NotificationHub({ store, env: env(), clock: () => now, log: quiet, publicUrl: "https://cowabunga.example.org" });
    now = new Date(t0.getTime() + 61 * 60_000);
    expect(await hub.digestIfDue({ octokit, ref, log: quiet })).toEqual({ due: true, errors: [] });
    expect(digests()).toHaveLength(2);
    const second = digests()[1]!;
    expect(second).toMatch(/^1-hour maintenance summary for acme\/shop/);
    expect(second).toContain("shop-lib 1.0.0: CVE-2026-0001");
    expect(second).toContain(`http://${gh.host}/acme/shop/issues/${issueNumber}`);
    expect(second).toContain("Dashboard: https://cowabunga.example.org/dashboard/acme/shop");
    // Once per period: a second unchanged scan right after sends nothing more.
    expect((await hub.digestIfDue({ octokit, ref, log: quiet })).due).toBe(false);
    expect(digests()).toHaveLength(2);
  });

  it("email fails (451), the delivery waits, and the retry scheduler sends it once at its backoff time, with no scan", async () => {
    smtp = await startSmtpPeer({ rejectFirst: 1 });
    const store = new FileStore({ root: dir, clock: () => now });
    const timers = manualTimers();
    hub = new NotificationHub({
      store,
      env: env(),
      clock: () => now,
      log: quiet,
      startTimers: true,
      timers,
      outbox: { backoff: { baseMs: 30_000, jitter: 0 } },
    });
    await hub.start();
    const config = configWith({ github: { enabled: false, mention: [] }, email: { enabled: true, recipients: ["ops@example.com"], digest: "off" } });
    await hub.afterAssess({ octokit, ref, assessment: assessment([critical(now)]), config, sentLog: {}, log: quiet });

    const emailDelivery = async () => (await hub!.outbox(ref)!.deliveries()).find((d) => d.channel === "email");
    const waiting = (await emailDelivery())!;
    expect(waiting.status).toBe("pending");
    expect(waiting.last_error).toMatch(/451|temporarily unavailable/);
    expect(smtp.mails).toHaveLength(0);
    const due = new Date(now.getTime() + 30_000);
    expect(waiting.next_attempt_at).toBe(due.toISOString());
    expect(hub.nextRetryAt(ref)).toEqual(due);
    expect(timers.pending.map((t) => t.ms)).toContain(30_000);

    // Too early: the timer fires (a sweep) but nothing is due.
    now = new Date(due.getTime() - 1_000);
    timers.fireAll();
    await until(async () => timers.pending.length > 0, "re-armed");
    expect(smtp.mails).toHaveLength(0);

    now = due;
    timers.fireAll();
    const done = await until(async () => {
      const d = await emailDelivery();
      return d?.status === "delivered" ? d : undefined;
    }, "email delivered");
    expect(done.attempts).toBe(2);
    expect(smtp.mails).toHaveLength(1);

    // Nothing pending any more: later ticks send nothing.
    now = new Date(now.getTime() + 3_600_000);
    timers.fireAll();
    await until(async () => timers.pending.length > 0, "re-armed for the sweep");
    expect(smtp.mails).toHaveLength(1);
    expect(hub.nextRetryAt(ref)).toBeNull();
  });

  it("a new hub over the same store (a restart) retries a pending delivery at start from the stored config", async () => {
    smtp = await startSmtpPeer({ rejectFirst: 1 });
    const store = new FileStore({ root: dir, clock: () => now });
    const config = configWith({ github: { enabled: false, mention: [] }, email: { enabled: true, recipients: ["ops@example.com"], digest: "off" } });
    const before = new NotificationHub({ store, env: env(), clock: () => now, log: quiet });
    await before.afterAssess({ octokit, ref, assessment: assessment([critical(now)]), config, sentLog: {}, log: quiet });
    before.stop();
    expect(smtp.mails).toHaveLength(0);

    hub = new NotificationHub({ store, env: env(), clock: () => now, log: quiet, startTimers: true, timers: manualTimers() });
    await hub.start();
    expect(smtp.mails).toHaveLength(1);
    expect(parseMail(smtp.mails[0]!.raw).headers.subject).toContain("Critical vulnerability: shop-lib");
  });
});

describe("SMTP over TLS (test certificate, trusted with nodemailer's tls.ca)", () => {
  let smtp: SmtpPeer | undefined;
  afterEach(async () => smtp?.stop());
  const channel = (url: string, ca: string | null) =>
    new EmailChannel({ smtpUrl: url, from: "cowabunga@example.org", recipients: ["ops@example.com"], transportOptions: { ...(ca ? { tls: { ca } } : {}), requireTLS: url.startsWith("smtp:") } });

  it("STARTTLS: the session is upgraded before login", async () => {
    smtp = await startSmtpPeer({ tls: "starttls", requireAuth: true });
    await channel(`smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`, TEST_TLS.cert).send(makeAlert());
    expect(smtp.mails.map((m) => [m.secure, m.user])).toEqual([[true, SMTP_USER]]);
  });

  it("SMTPS: TLS from the first byte", async () => {
    smtp = await startSmtpPeer({ tls: "smtps", requireAuth: true });
    await channel(`smtps://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`, TEST_TLS.cert).send(makeAlert());
    expect(smtp.mails.map((m) => [m.secure, m.user])).toEqual([[true, SMTP_USER]]);
  });

  it("an untrusted certificate is refused, and the error names the host, not the password", async () => {
    smtp = await startSmtpPeer({ tls: "smtps", requireAuth: true });
    const err = await channel(`smtps://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`, null)
      .send(makeAlert())
      .then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toMatch(new RegExp(`^SMTP 127\\.0\\.0\\.1:${smtp.port}: .*(self[- ]signed|certificate)`, "i"));
    expect(err?.message).not.toContain(SMTP_PASS);
    expect(smtp.mails).toEqual([]);
  });
});

describe("NotificationRetryScheduler", () => {
  it("arms one timer for the earliest due repository and flushes only what is due", async () => {
    let now = new Date("2026-03-01T10:00:00.000Z");
    const timers = manualTimers();
    const flushed: string[] = [];
    const next = new Map<string, Date | null>([
      ["a/one", new Date(now.getTime() + 120_000)],
      ["a/two", new Date(now.getTime() + 30_000)],
    ]);
    const s = new NotificationRetryScheduler({
      flush: async (r, o) => {
        flushed.push(`${r.owner}/${r.repo}${o.now ? "!" : ""}`);
        return flushed.filter((f) => f.startsWith(`${r.owner}/${r.repo}`)).length > 1 ? null : (next.get(`${r.owner}/${r.repo}`) ?? null);
      },
      listRepos: async () => [
        { owner: "a", repo: "one" },
        { owner: "a", repo: "two" },
      ],
      clock: () => now,
      timers,
      log: quiet,
      sweepMs: 600_000,
    });
    await s.start();
    expect(flushed).toEqual(["a/one!", "a/two!"]);
    expect(timers.pending.map((t) => t.ms)).toEqual([30_000]);
    now = new Date(now.getTime() + 30_000);
    timers.fireAll();
    await until(async () => timers.pending.length > 0, "re-armed");
    expect(flushed).toEqual(["a/one!", "a/two!", "a/two"]);
    expect(timers.pending.map((t) => t.ms)).toEqual([90_000]);
    s.stop();
    expect(timers.pending).toEqual([]);
  });
});
