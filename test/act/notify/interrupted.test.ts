/**
 * A process that stops in the middle of a send (SIGKILL, power loss) leaves a claimed delivery behind.
 * The next flush after the lease settles it without sending twice where the channel cannot tell a duplicate.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DashboardChannel, GitHubChannel, NotificationOutbox, alertMarker, listDashboardAlerts, type Alert, type AlertChannel } from "../../../src/act/notify/index.js";
import { FileStore } from "../../../src/store/index.js";
import { makeAlert } from "./peers.js";

const repo = { owner: "acme", repo: "app" };
let root: string;
let now: Date;
const clock = () => now;
const LEASE = 60_000;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-interrupted-"));
  now = new Date("2026-01-15T12:00:00.000Z");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A channel whose sends hang until the test says so (the process "dies" while it hangs). */
function hanging(name: string): AlertChannel & { started: Alert[]; whenStarted: Promise<void> } {
  let markStarted: () => void = () => undefined;
  const c = {
    name,
    started: [] as Alert[],
    whenStarted: new Promise<void>((r) => (markStarted = r)),
    send: (alert: Alert) => {
      c.started.push(alert);
      markStarted();
      return new Promise<void>(() => undefined);
    },
  };
  return c;
}

function recorder(name: string): AlertChannel & { got: Alert[] } {
  const c = { name, got: [] as Alert[], send: async (a: Alert) => void c.got.push(a) };
  return c;
}

/** Outbox A claims the delivery and hangs in the send; A is then abandoned, as a killed process is. */
async function crashMidSend(store: FileStore, channel: ReturnType<typeof hanging>, alert: Alert): Promise<void> {
  const a = new NotificationOutbox({ store, repo, channels: [channel], clock, leaseMs: LEASE, sendTimeoutMs: 3_600_000, route: () => [channel.name.split(":")[0] as "slack"] });
  await a.enqueue(alert);
  void a.flush();
  await channel.whenStarted;
  expect(channel.started).toHaveLength(1);
}

describe("a send interrupted by a crash", () => {
  it("Slack (no idempotency key): not sent again; the delivery is failed with the reason", async () => {
    const store = new FileStore({ root, clock });
    const alert = makeAlert();
    await crashMidSend(store, hanging("slack:default"), alert);

    const slack = recorder("slack:default");
    const b = new NotificationOutbox({ store, repo, channels: [slack], clock, leaseMs: LEASE });
    // While the lease runs, the other process might still be sending: nothing happens.
    expect((await b.flush({ now: true })).delivered).toEqual([]);
    expect(await b.nextAttemptAt()).toEqual(new Date(now.getTime() + LEASE));
    now = new Date(now.getTime() + LEASE + 1);
    const r = await b.flush();
    expect(slack.got).toEqual([]);
    expect(r.failed).toHaveLength(1);
    const [d] = await b.deliveries();
    expect(d!.status).toBe("failed");
    expect(d!.last_error).toMatch(/interrupted while sending.*not sent again.*slack:default cannot detect a duplicate/);
    expect(await b.nextAttemptAt()).toBeNull();
  });

  it("the dashboard (keyed by alert) is simply written again", async () => {
    const store = new FileStore({ root, clock });
    const alert = makeAlert({ level: "low", key: "low_coverage:api", condition: "low_coverage" });
    await crashMidSend(store, hanging("dashboard"), alert);
    now = new Date(now.getTime() + LEASE + 1);
    const b = new NotificationOutbox({ store, repo, channels: [new DashboardChannel(store, repo, { clock })], clock, leaseMs: LEASE });
    expect((await b.flush()).delivered).toHaveLength(1);
    expect((await listDashboardAlerts(store, repo)).map((a) => a.key)).toEqual(["low_coverage:api"]);
  });

  it("GitHub looks for the alert's marker: found, it is recorded as delivered without a second comment; not found, it is posted", async () => {
    const store = new FileStore({ root, clock });
    const posted: string[] = [];
    const existing: string[] = [];
    const github = () =>
      new GitHubChannel(
        {
          postComment: async (_n, body) => void posted.push(body),
          createIssue: async () => undefined,
          hasMarker: async (n, marker) => n === 12 && existing.some((b) => b.includes(marker)),
        },
        { findIssueNumber: async () => 12 },
      );
    const arrived = makeAlert({ key: "critical_cvss:a" });
    const lost = makeAlert({ key: "critical_cvss:b" });
    await crashMidSend(store, hanging("github"), arrived);
    existing.push(`${alertMarker(arrived)}\nthe comment the killed process did post`);
    now = new Date(now.getTime() + LEASE + 1);
    const b = new NotificationOutbox({ store, repo, channels: [github()], clock, leaseMs: LEASE });
    expect((await b.flush()).delivered).toHaveLength(1);
    expect(posted).toEqual([]);

    await crashMidSend(store, hanging("github"), lost);
    now = new Date(now.getTime() + LEASE + 1);
    const c = new NotificationOutbox({ store, repo, channels: [github()], clock, leaseMs: LEASE });
    expect((await c.flush()).delivered).toHaveLength(1);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toContain(alertMarker(lost));
  });
});

describe("flush at start-up", () => {
  it("sends a pending delivery whatever its backoff says, once", async () => {
    const store = new FileStore({ root, clock });
    const failing = { name: "slack:default", send: async () => Promise.reject(new Error("HTTP 500")) };
    const a = new NotificationOutbox({ store, repo, channels: [failing], clock, route: () => ["slack"] });
    await a.deliver(makeAlert());
    const next = await a.nextAttemptAt();
    expect(next!.getTime()).toBeGreaterThan(now.getTime());

    const slack = recorder("slack:default");
    const b = new NotificationOutbox({ store, repo, channels: [slack], clock, route: () => ["slack"] });
    expect((await b.flush()).delivered).toEqual([]); // not due yet
    expect((await b.flush({ now: true })).delivered).toHaveLength(1);
    expect((await b.flush({ now: true })).delivered).toEqual([]);
    expect(slack.got).toHaveLength(1);
  });
});
