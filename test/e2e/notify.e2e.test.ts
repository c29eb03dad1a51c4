/**
 * Notifications end to end (issue 17): the REAL app (as `npm start` runs it) against the fake GitHub served
 * as a GitHub Enterprise Server, with a real SMTP server that requires login over STARTTLS (its certificate
 * trusted through NODE_EXTRA_CA_CERTS, as an operator would) and an HTTP Slack webhook sink.
 * - every channel's message for the CVSS 9.8 finding links to its GHES issue, the open update PR and the dashboard;
 * - the app is SIGKILLed while a Slack delivery is pending; restarted with Slack healthy and NO scan, it
 *   delivers that alert exactly once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileStore } from "../../src/store/index.js";
import { FakeGitHub, type FakeIssue } from "../helpers/fake-github.js";
import { startAppServer, waitFor, type AppServer } from "../helpers/app-server.js";
import { parseMail, SMTP_PASS, SMTP_USER, startSlackPeer, startSmtpPeer, TEST_TLS, type SlackPeer, type SmtpPeer } from "../act/notify/peers.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const OSV_MIRROR = path.resolve(here, "../fixtures/e2e/osv");
const PUBLIC_URL = "https://cowabunga.example.org";

/** A maintenance window twelve hours away: only the critical fix (beta-lib, CVSS 9.8) opens its update PR. */
function closedWindow(now = new Date()): string {
  const at = new Date(now.getTime() + 12 * 3_600_000);
  const day = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][at.getUTCDay()];
  const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  const start = at.getUTCHours() * 60 + at.getUTCMinutes();
  return `schedule:\n  timezone: UTC\n  maintenance_windows:\n    - days: [${day}]\n      start: "${hhmm(start)}"\n      end: "${hhmm(start + 1)}"\n`;
}

function repoFiles(notifications: string): Record<string, string> {
  return {
    "api/requirements.txt": "alpha-lib==1.4.0\nbeta-lib==2.0.0\n",
    "api/main.py": "print('api')\n",
    "README.md": "# platform\n",
    ".github/cowabunga.yml": `${closedWindow()}notifications:\n${notifications}`,
  };
}

/** waitFor, for a value that is there once the wait ends. */
async function found<T>(...args: Parameters<typeof waitFor<T | undefined>>): Promise<NonNullable<T>> {
  return (await waitFor(...args)) as NonNullable<T>;
}

interface SlackButton {
  url: string;
  text: { text: string };
}
function slackButtons(payload: Record<string, unknown>): SlackButton[] {
  const blocks = (payload.blocks ?? []) as Array<{ type: string; elements?: SlackButton[] }>;
  return blocks.find((b) => b.type === "actions")?.elements ?? [];
}

function installPayload(gh: FakeGitHub, full: string): Record<string, unknown> {
  const name = full.split("/")[1];
  return {
    action: "created",
    installation: { id: gh.installationId, account: { login: "acme" } },
    repositories: [{ id: gh.repo(full).id, name, full_name: full, private: true }],
    sender: { login: "alice", type: "User" },
  };
}

const baseEnv = (slack: SlackPeer, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  COWABUNGA_OFFLINE: "true",
  COWABUNGA_OSV_DB: OSV_MIRROR,
  COWABUNGA_GITHUB_THROTTLE: "false",
  COWABUNGA_SLACK_WEBHOOK_URL: slack.url,
  COWABUNGA_PUBLIC_URL: PUBLIC_URL,
  ...extra,
});

describe("alerts link to what they report, on every channel (GHES, real SMTP with STARTTLS, Slack sink)", () => {
  const REPO = "acme/platform";
  const gh = new FakeGitHub();
  let slack: SlackPeer;
  let smtp: SmtpPeer;
  let app: AppServer;
  let dataDir: string;

  beforeAll(async () => {
    await gh.start();
    gh.addRepo(REPO, repoFiles("  slack:\n    enabled: true\n  email:\n    enabled: true\n    recipients: [ops@example.com]\n"));
    slack = await startSlackPeer();
    smtp = await startSmtpPeer({ tls: "starttls", requireAuth: true });
    dataDir = mkdtempSync(path.join(tmpdir(), "cowabunga-e2e-notify-"));
    app = await startAppServer({
      gheHost: gh.host,
      dataDir,
      env: baseEnv(slack, {
        COWABUNGA_SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`,
        COWABUNGA_EMAIL_FROM: "cowabunga@example.org",
        NODE_EXTRA_CA_CERTS: TEST_TLS.certPath,
      }),
    });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await slack?.close();
    await smtp?.stop();
    await gh.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("Slack buttons, the email and the GitHub comment link to the GHES issue, the update PR and the dashboard; the first digest links its issues", async () => {
    const context = (): string => `\n--- app output (tail) ---\n${app.output().slice(-3000)}`;
    await app.deliver("installation", installPayload(gh, REPO));
    const repo = gh.repo(REPO);
    const betaIssue = await found(() => repo.issues.find((i: FakeIssue) => !i.pull_request && i.title.includes("beta-lib") && i.body.includes("cowabunga:issue:")), "beta-lib issue", context, 40_000);
    const slackMsg = await found(() => slack.payloads.find((p) => String(p.text).includes("beta-lib")), "Slack alert for beta-lib", context, 40_000);
    const alertMail = await found(() => smtp.mails.find((m) => /X-Cowabunga-Alert: critical_cvss/i.test(m.raw)), "alert email", context, 40_000);
    const comment = await found(() => repo.comments.find((c) => c.issue_number === betaIssue.number && c.body.includes("cowabunga-alert:")), "GitHub alert comment", context, 40_000);
    const pr = gh.pulls(repo).find((p) => p.state === "open");
    expect(pr, "the automatic update PR for the critical fix").toBeDefined();

    const issueUrl = `http://${gh.host}/acme/platform/issues/${betaIssue.number}`;
    const pullUrl = `http://${gh.host}/acme/platform/pull/${pr!.number}`;
    const dashboardUrl = `${PUBLIC_URL}/dashboard/acme/platform`;

    expect(slackButtons(slackMsg).map((b) => [b.text.text, b.url])).toEqual([
      [`GitHub issue #${betaIssue.number}`, issueUrl],
      [`Update PR #${pr!.number}`, pullUrl],
      ["Dashboard", dashboardUrl],
    ]);

    expect(alertMail.secure, "the mail went over STARTTLS").toBe(true);
    expect(alertMail.user).toBe(SMTP_USER);
    const mail = parseMail(alertMail.raw);
    const text = mail.parts.find((p) => p.type === "text/plain")!.body;
    const html = mail.parts.find((p) => p.type === "text/html")!.body;
    for (const url of [issueUrl, pullUrl, dashboardUrl]) {
      expect(text).toContain(url);
      expect(html).toContain(`href="${url}"`);
      expect(comment.body).toContain(`(<${url}>)`);
    }

    // The first digest is built after the issues were synced: its top issues link to GHES.
    const digest = await found(() => smtp.mails.find((m) => /X-Cowabunga-Digest:/i.test(m.raw)), "digest email", context, 40_000);
    const digestText = parseMail(digest.raw).parts.find((p) => p.type === "text/plain")!.body;
    expect(digestText).toContain(issueUrl);
    expect(digestText).toContain(dashboardUrl);
    expect(digestText).toMatch(/Alerts this period:\r?\n- \[critical\] .*beta-lib.* \(\d{4}-\d\d-\d\dT/);

    for (const body of [JSON.stringify(slackMsg), text, html, comment.body, digestText]) expect(body).not.toContain("github.com");
    expect(gh.violations).toEqual([]);
  }, 90_000);
});

describe("a pending delivery survives SIGKILL and is delivered once after restart, with no scan", () => {
  const REPO = "acme/svc";
  const ref = { owner: "acme", repo: "svc" };
  const gh = new FakeGitHub();
  let slack: SlackPeer;
  let healthy: SlackPeer | undefined;
  let first: AppServer | undefined;
  let second: AppServer | undefined;
  let dataDir: string;

  beforeAll(async () => {
    await gh.start();
    gh.addRepo(REPO, repoFiles("  slack:\n    enabled: true\n"));
    slack = await startSlackPeer();
    dataDir = mkdtempSync(path.join(tmpdir(), "cowabunga-e2e-notify-kill-"));
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await slack?.close();
    await healthy?.close();
    await gh.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("Slack fails, the app is killed, Slack recovers, the restarted app sends the alert exactly once", async () => {
    slack.status = 500;
    first = await startAppServer({ gheHost: gh.host, dataDir, env: baseEnv(slack) });
    const ctx1 = (): string => `\n--- first app (tail) ---\n${first!.output().slice(-3000)}`;
    await first.deliver("installation", installPayload(gh, REPO));

    const store = new FileStore({ root: dataDir });
    const slackDelivery = async () => {
      const entries = (await store.getPending(ref)) as Array<Record<string, unknown>>;
      return entries.find((e) => e.kind === "delivery" && e.channel === "slack:default" && String(e.subject).startsWith("critical_cvss:"));
    };
    const pending = await found(async () => {
      const d = await slackDelivery();
      return d && d.status === "pending" && d.lease_until === null && (d.attempts as number) >= 1 ? d : undefined;
    }, "a pending Slack delivery after a failed attempt", ctx1, 40_000);
    expect(String(pending.last_error)).toMatch(/HTTP 500/);
    expect(Date.parse(String(pending.next_attempt_at))).toBeGreaterThan(Date.now());
    expect(slack.payloads).toEqual([]);

    await first.kill();
    // Slack "recovers": the restarted app is given a healthy webhook (the URL comes from the environment,
    // the pending delivery names only its channel). The failing sink stays at 500, so a request that the
    // killed app sent just before it died can never be counted as a delivery after the restart.
    healthy = await startSlackPeer();
    const requestsBefore = gh.requests.length;

    second = await startAppServer({ gheHost: gh.host, dataDir, env: baseEnv(healthy) });
    const ctx2 = (): string => `\n--- second app (tail) ---\n${second!.output().slice(-3000)}`;
    const delivered = await found(async () => {
      const d = await slackDelivery();
      return d?.status === "delivered" ? d : undefined;
    }, "the Slack delivery recorded as delivered", ctx2, 30_000);
    expect(delivered.delivered_at).toEqual(expect.any(String));

    // Exactly one message reached Slack after the restart, and it carries its links.
    // Other alerts of the same scan may have been pending too: each is delivered once, none twice, and the
    // critical one exactly once.
    const texts = healthy.payloads.map((p) => JSON.stringify(p));
    expect(new Set(texts).size, `a message was delivered twice:\n${texts.join("\n")}`).toBe(texts.length);
    expect(healthy.hits).toBe(healthy.payloads.length);
    const critical = healthy.payloads.filter((p) => String(p.text).includes("beta-lib"));
    expect(critical).toHaveLength(1);
    expect(slack.payloads).toEqual([]);
    const issueNumber = gh.repo(REPO).issues.find((i) => !i.pull_request && i.title.includes("beta-lib"))!.number;
    expect(slackButtons(critical[0]!).map((b) => b.url)).toContain(`http://${gh.host}/acme/svc/issues/${issueNumber}`);

    // No scan ran: the restarted app read no commit, tree or file of the repository.
    const after = gh.requests.slice(requestsBefore);
    expect(after.filter((r) => r.kind === "graphql" || /\/(commits|git\/trees|contents)\b/.test(r.path))).toEqual([]);
  }, 120_000);
});
