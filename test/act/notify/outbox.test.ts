import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DashboardChannel,
  NotificationOutbox,
  createChannels,
  listDashboardAlerts,
  type Alert,
  type AlertChannel,
  type MaintenanceSummary,
} from "../../../src/act/notify/index.js";
import { FileStore } from "../../../src/store/index.js";
import { defaultConfig, type CowabungaConfig } from "../../../src/config/schema.js";
import { SMTP_PASS, SMTP_USER, makeAlert, parseMail, recordingLogger, startSlackPeer, startSmtpPeer, type SlackPeer, type SmtpPeer } from "./peers.js";

const repo = { owner: "acme", repo: "app" };
let root: string;
let now: Date;
const clock = () => now;
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-notify-"));
  now = new Date("2026-01-15T12:00:00.000Z");
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const pendingFile = () => path.join(root, "acme", "app", "pending_notifications.json");

function config(over: Partial<CowabungaConfig["notifications"]> = {}): CowabungaConfig {
  const c = defaultConfig();
  c.notifications = {
    ...c.notifications,
    slack: { enabled: true, channels: ["default"] },
    email: { enabled: true, recipients: ["ops@example.com"], digest: "weekly" },
    github: { enabled: false, mention: [] },
    ...over,
  };
  return c;
}

/** A channel that records what it got and can be told to fail. */
function recorder(name: string): AlertChannel & { got: Alert[]; fail: boolean } {
  const c = {
    name,
    got: [] as Alert[],
    fail: false,
    async send(alert: Alert) {
      if (c.fail) throw new Error(`${name} is down`);
      c.got.push(alert);
    },
  };
  return c;
}

describe("NotificationOutbox with real Slack and SMTP peers", () => {
  let slack: SlackPeer;
  let smtp: SmtpPeer;
  beforeEach(async () => {
    slack = await startSlackPeer();
    smtp = await startSmtpPeer();
  });
  afterEach(async () => {
    await slack.close();
    await smtp.stop();
  });

  function makeOutbox(logger = recordingLogger()) {
    const env = {
      COWABUNGA_ALLOW_PRIVATE_URLS: "true",
      COWABUNGA_SLACK_WEBHOOK_DEFAULT: slack.url,
      COWABUNGA_SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`,
      COWABUNGA_EMAIL_FROM: "cowabunga@example.com",
    };
    // A new FileStore each time: nothing shared in memory between "processes".
    const store = new FileStore({ root, clock });
    const created = createChannels(config(), env, { store, repo, clock, logger });
    expect(created.warnings).toEqual([]);
    const outbox = new NotificationOutbox({
      store,
      repo,
      channels: created.channels,
      clock,
      logger,
      secrets: created.secrets,
      backoff: { baseMs: 60_000, maxMs: 3_600_000, jitter: 0 },
    });
    return { outbox, store, logger, close: () => created.email?.close() };
  }

  it("delivers a critical alert to email, Slack and the dashboard, and records it as delivered", async () => {
    const { outbox, store, close } = makeOutbox();
    const r = await outbox.deliver(makeAlert());
    close();
    expect(r.errors).toEqual([]);
    expect(r.enqueue.unrouted).toEqual(["github"]); // github disabled in this config
    expect(r.delivered).toHaveLength(3);
    expect(r.pending).toBe(0);
    expect(slack.payloads).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);
    expect(parseMail(smtp.mails[0].raw).headers.subject).toContain("CRITICAL: requests 2.19.0");
    expect((await listDashboardAlerts(store, repo)).map((a) => a.key)).toEqual([makeAlert().key]);
    const views = await outbox.deliveries();
    expect(views.map((v) => [v.channel, v.status]).sort()).toEqual([
      ["dashboard", "delivered"],
      ["email", "delivered"],
      ["slack:default", "delivered"],
    ]);
  });

  it("a medium alert goes to Slack and the dashboard only", async () => {
    const { outbox, store, close } = makeOutbox();
    await outbox.deliver(makeAlert({ level: "medium", condition: "outdated_dependency", key: "outdated:npm:react" }));
    close();
    expect(slack.payloads).toHaveLength(1);
    expect(smtp.mails).toHaveLength(0);
    expect(await listDashboardAlerts(store, repo)).toHaveLength(1);
  });

  it("keeps failed deliveries pending across a restart and delivers them once the peers are back", async () => {
    slack.status = 500;
    await smtp.stop();
    const first = makeOutbox();
    const r1 = await first.outbox.deliver(makeAlert());
    first.close();
    expect(r1.delivered.map((id) => id.split("|")[1])).toEqual(["dashboard"]);
    expect(r1.failed.map((f) => f.channel).sort()).toEqual(["email", "slack:default"]);
    expect(r1.pending).toBe(2);
    const stored = JSON.parse(readFileSync(pendingFile(), "utf8")) as Array<Record<string, unknown>>;
    const slackEntry = stored.find((e) => e.channel === "slack:default");
    expect(slackEntry).toMatchObject({ status: "pending", attempts: 1, next_attempt_at: "2026-01-15T12:01:00.000Z" });
    expect(String(slackEntry?.last_error)).toContain("HTTP 500");
    expect(String(stored.find((e) => e.channel === "email")?.last_error)).toContain("ECONNREFUSED");

    // Before the backoff delay nothing is retried.
    advance(30_000);
    const early = makeOutbox();
    const r2 = await early.outbox.flush();
    early.close();
    expect(r2.delivered).toEqual([]);
    expect(r2.failed).toEqual([]);
    expect(slack.hits).toBe(1);

    // Second failure doubles the delay.
    advance(30_000);
    const second = makeOutbox();
    const r3 = await second.outbox.flush();
    second.close();
    expect(r3.failed.map((f) => [f.channel, f.attempts, f.next_attempt_at]).sort()).toEqual([
      ["email", 2, "2026-01-15T12:03:00.000Z"],
      ["slack:default", 2, "2026-01-15T12:03:00.000Z"],
    ]);

    // Peers come back; a brand-new outbox (restart) over the same directory delivers.
    slack.status = 200;
    await smtp.start();
    advance(120_000);
    const third = makeOutbox();
    const r4 = await third.outbox.flush();
    third.close();
    expect(r4.delivered.map((id) => id.split("|")[1]).sort()).toEqual(["email", "slack:default"]);
    expect(r4.pending).toBe(0);
    expect(slack.payloads).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);

    // No duplicate: flushing again or enqueueing the same alert again sends nothing.
    advance(3_600_000);
    const fourth = makeOutbox();
    const again = await fourth.outbox.deliver(makeAlert());
    fourth.close();
    expect(again.enqueue.queued).toEqual([]);
    expect(again.enqueue.duplicates).toHaveLength(3);
    expect(again.delivered).toEqual([]);
    expect(slack.payloads).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);
    expect(await listDashboardAlerts(new FileStore({ root, clock }), repo)).toHaveLength(1);
  });

  it("never writes secrets to logs or to the store", async () => {
    slack.status = 500;
    await smtp.stop();
    const logger = recordingLogger();
    const { outbox, close } = makeOutbox(logger);
    await outbox.deliver(makeAlert());
    close();
    const everything = logger.lines.join("\n") + readFileSync(pendingFile(), "utf8");
    expect(logger.lines.some((l) => l.includes("will retry"))).toBe(true);
    expect(everything).not.toContain(slack.secret);
    expect(everything).not.toContain(SMTP_PASS);
    expect(everything).toContain(`127.0.0.1:${slack.port}`); // the host is fine to show
  });

  it("sends the weekly digest when due, once, and again a week later", async () => {
    const digest: MaintenanceSummary = {
      repo: "acme/app",
      generated_at: now.toISOString(),
      overall_status: "healthy",
      maintenance_mode: false,
      counts: { components: 1, issues_open: 0, open_by_severity: { critical: 0, high: 0, medium: 0, low: 0 }, resolved_in_period: 0, dependencies: 5, vulnerable: 0, outdated: 0 },
      top_issues: [],
      alerts: [],
      links: [],
    };
    const a = makeOutbox();
    const first = await a.outbox.maybeSendDigest(digest, "weekly");
    expect(first.due).toBe(true);
    expect(first.flush?.delivered).toHaveLength(1);
    advance(86_400_000);
    const second = await a.outbox.maybeSendDigest({ ...digest, generated_at: now.toISOString() }, "weekly");
    expect(second.due).toBe(false);
    a.close();
    expect(smtp.mails).toHaveLength(1);
    advance(6 * 86_400_000);
    const b = makeOutbox(); // restart: the last digest time comes from the store
    const third = await b.outbox.maybeSendDigest({ ...digest, generated_at: now.toISOString() }, "weekly");
    b.close();
    expect(third.due).toBe(true);
    expect(smtp.mails).toHaveLength(2);
    expect(parseMail(smtp.mails[1].raw).headers.subject).toMatch(/^\[Cowabunga\] Weekly maintenance summary for acme\/app/);
    expect((await a.outbox.maybeSendDigest(digest, "off")).due).toBe(false);
  });
});

describe("NotificationOutbox behaviour with recording channels", () => {
  const makeStore = () => new FileStore({ root, clock });

  it("writes the delivery as pending BEFORE sending", async () => {
    const store = makeStore();
    let seenPending: unknown[] = [];
    const channel: AlertChannel = {
      name: "slack:default",
      async send() {
        seenPending = (await store.getPending(repo)).filter((e) => (e as { status?: string }).status === "pending");
      },
    };
    const outbox = new NotificationOutbox({ store, repo, channels: [channel], clock });
    await outbox.deliver(makeAlert({ level: "low" }));
    expect(seenPending).toHaveLength(1);
    expect(seenPending[0]).toMatchObject({ channel: "slack:default", attempts: 1, kind: "delivery" });
  });

  it("gives up after maxAttempts and marks the delivery failed; keeps tombstones only for keepMs", async () => {
    const store = makeStore();
    const slack = recorder("slack:default");
    slack.fail = true;
    const outbox = new NotificationOutbox({ store, repo, channels: [slack], clock, backoff: { baseMs: 1000, maxAttempts: 3, jitter: 0 }, keepMs: 86_400_000 });
    await outbox.deliver(makeAlert({ level: "high" }));
    advance(1000);
    await outbox.flush();
    advance(2000);
    const last = await outbox.flush();
    expect(last.failed[0]).toMatchObject({ attempts: 3, next_attempt_at: null });
    expect(last.pending).toBe(0);
    expect((await outbox.deliveries())[0]).toMatchObject({ status: "failed", attempts: 3, last_error: "slack:default is down" });
    advance(3_600_000);
    slack.fail = false;
    expect((await outbox.flush()).delivered).toEqual([]); // failed is final
    advance(86_400_000 + 1);
    await outbox.flush();
    expect(await outbox.deliveries()).toEqual([]); // pruned after keepMs
  });

  it("caps the backoff at maxMs", async () => {
    const slack = recorder("slack:default");
    slack.fail = true;
    const outbox = new NotificationOutbox({ store: makeStore(), repo, channels: [slack], clock, backoff: { baseMs: 1000, maxMs: 5000, maxAttempts: 20, jitter: 0 } });
    await outbox.deliver(makeAlert({ level: "low" }));
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const v = (await outbox.deliveries())[0];
      const next = Date.parse(v.next_attempt_at ?? "");
      delays.push(next - now.getTime());
      now = new Date(next);
      await outbox.flush();
    }
    expect(delays).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it("a failing store never throws out of deliver or flush", async () => {
    const broken = {
      getPending: () => Promise.reject(new Error("disk on fire")),
      updatePending: () => Promise.reject(new Error("disk on fire")),
    };
    const logger = recordingLogger();
    const outbox = new NotificationOutbox({ store: broken, repo, channels: [recorder("slack:default")], clock, logger });
    const r = await outbox.deliver(makeAlert());
    expect(r.errors.join(" ")).toContain("disk on fire");
    expect(r.delivered).toEqual([]);
    expect(logger.lines.some((l) => l.startsWith("WARN notify: enqueue failed"))).toBe(true);
  });

  it("a channel that hangs counts as failed after sendTimeoutMs", async () => {
    const hang: AlertChannel = { name: "slack:default", send: () => new Promise(() => undefined) };
    const outbox = new NotificationOutbox({ store: makeStore(), repo, channels: [hang], clock, sendTimeoutMs: 50 });
    const r = await outbox.deliver(makeAlert());
    expect(r.failed[0].error).toContain("no answer after 50 ms");
  });

  it("two outboxes flushing the same store at once deliver each alert once (leases)", async () => {
    const got: string[] = [];
    // A barrier instead of timing: the first send blocks until the test opens the gate, so the second
    // flusher certainly runs while the first holds its leases.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let started!: () => void;
    const firstSendStarted = new Promise<void>((r) => (started = r));
    const slack: AlertChannel = {
      name: "slack:default",
      async send(alert) {
        started();
        await gate;
        got.push(alert.key);
      },
    };
    const a = new NotificationOutbox({ store: makeStore(), repo, channels: [slack], clock });
    const b = new NotificationOutbox({ store: makeStore(), repo, channels: [slack], clock });
    await a.enqueue([makeAlert({ key: "k1" }), makeAlert({ key: "k2" }), makeAlert({ key: "k3" })]);
    const first = a.flush();
    await firstSendStarted; // a has claimed all three and is inside its first send
    const second = await b.flush(); // runs to completion while a is blocked: everything is leased to a
    expect(got).toEqual([]);
    expect(second.pending).toBe(3);
    open();
    await first;
    expect(got.sort()).toEqual(["k1", "k2", "k3"]);
    // Nothing is left to deliver, by either outbox.
    await b.flush();
    await a.flush();
    expect(got).toHaveLength(3);
  });

  it("expands a kind to every channel of that kind (slack:default and slack:ops) and skips unknown ones", async () => {
    const d = recorder("slack:default");
    const o = recorder("slack:ops");
    const outbox = new NotificationOutbox({ store: makeStore(), repo, channels: [d, o], clock });
    expect(outbox.channelsFor(makeAlert({ level: "low" }))).toEqual({ names: ["slack:default", "slack:ops"], unrouted: ["dashboard"] });
    const r = await outbox.deliver(makeAlert({ level: "low" }));
    expect(r.delivered).toHaveLength(2);
    expect(d.got).toHaveLength(1);
    expect(o.got).toHaveLength(1);
  });

  it("a pending delivery for a channel no longer configured waits, then is dropped after orphanMaxAgeMs", async () => {
    const store = makeStore();
    const slack = recorder("slack:ops");
    slack.fail = true;
    await new NotificationOutbox({ store, repo, channels: [slack], clock }).deliver(makeAlert({ level: "low" }));
    const without = new NotificationOutbox({ store, repo, channels: [recorder("email")], clock, orphanMaxAgeMs: 3_600_000 });
    advance(60_000);
    expect((await without.flush()).pending).toBe(1);
    advance(3_600_000);
    expect((await without.flush()).pending).toBe(0);
  });

  it("asChannel() routes through the outbox (for dispatchers that call send) and does not throw", async () => {
    const slack = recorder("slack:default");
    slack.fail = true;
    const outbox = new NotificationOutbox({ store: makeStore(), repo, channels: [slack], clock });
    await expect(outbox.asChannel().send(makeAlert())).resolves.toBeUndefined();
    expect((await outbox.deliveries())[0]).toMatchObject({ status: "pending", attempts: 1 });
  });

  it("dashboard keeps the newest alerts within its limits", async () => {
    const store = makeStore();
    const dash = new DashboardChannel(store, repo, { clock, keep: 2 });
    for (const k of ["a", "b", "c"]) {
      await dash.send(makeAlert({ key: k, created_at: now.toISOString() }));
      advance(1000);
    }
    await dash.send(makeAlert({ key: "c", created_at: "2026-01-15T12:00:02.000Z" })); // same alert: not twice
    expect((await listDashboardAlerts(store, repo)).map((a) => a.key)).toEqual(["c", "b"]);
  });

  it("start() flushes on a timer that does not keep the process alive; stop() ends it", async () => {
    const slack = recorder("slack:default");
    slack.fail = true;
    const outbox = new NotificationOutbox({ store: makeStore(), repo, channels: [slack], clock, backoff: { baseMs: 1, jitter: 0 } });
    await outbox.deliver(makeAlert({ level: "low" }));
    slack.fail = false;
    advance(10);
    outbox.start(10);
    for (let i = 0; i < 200 && slack.got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    outbox.stop();
    expect(slack.got).toHaveLength(1);
  });
});

describe("working with assess/alerts.ts dispatchAlerts", () => {
  it("kindChannels() are named by kind, so dispatchAlerts' routes and quiet period apply, and each fans out to its channels", async () => {
    const { dispatchAlerts } = await import("../../../src/assess/alerts.js");
    const store = new FileStore({ root, clock });
    const d = recorder("slack:default");
    const o = recorder("slack:ops");
    const mail = recorder("email");
    o.fail = true;
    const outbox = new NotificationOutbox({ store, repo, channels: [d, o, mail, new DashboardChannel(store, repo, { clock })], clock, backoff: { baseMs: 1000, jitter: 0 } });
    expect(outbox.kindChannels().map((c) => c.name)).toEqual(["slack", "email", "dashboard"]);
    const alerts = [makeAlert({ level: "high", key: "low_component_health:api" }), makeAlert({ level: "critical", key: "critical_cvss:issue-1" })];
    const r = await dispatchAlerts(alerts, outbox.kindChannels(), {}, clock, 24);
    expect(r.errors).toEqual([]); // slack:ops failing is the outbox's business now
    expect(d.got.map((a) => a.key)).toEqual(["low_component_health:api", "critical_cvss:issue-1"]);
    expect(mail.got.map((a) => a.key)).toEqual(["critical_cvss:issue-1"]);
    expect((await outbox.deliveries()).filter((v) => v.status === "pending").map((v) => v.channel)).toEqual(["slack:ops", "slack:ops"]);
    o.fail = false;
    advance(1000);
    await outbox.flush();
    expect(o.got).toHaveLength(2);
    // Same alerts again inside the quiet period: dispatchAlerts suppresses them.
    const again = await dispatchAlerts(alerts, outbox.kindChannels(), r.sentLog, clock, 24);
    expect(again.sent).toEqual([]);
    expect(d.got).toHaveLength(2);
  });
});
