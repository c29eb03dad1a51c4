import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmailChannel, digestDue, renderAlertEmail, renderDigestEmail, type MaintenanceSummary } from "../../../src/act/notify/index.js";
import { HOSTILE, SMTP_PASS, SMTP_USER, makeAlert, parseMail, startSmtpPeer, type SmtpPeer } from "./peers.js";

let smtp: SmtpPeer;
beforeEach(async () => {
  smtp = await startSmtpPeer();
});
afterEach(async () => {
  await smtp.stop();
});

const smtpUrl = () => `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`;

function summary(over: Partial<MaintenanceSummary> = {}): MaintenanceSummary {
  return {
    repo: "acme/app",
    generated_at: "2026-01-19T06:00:00.000Z",
    overall_status: "warning",
    maintenance_mode: false,
    counts: {
      components: 3,
      issues_open: 4,
      open_by_severity: { critical: 1, high: 1, medium: 2, low: 0 },
      resolved_in_period: 2,
      dependencies: 120,
      vulnerable: 2,
      outdated: 17,
    },
    top_issues: [
      { title: "requests 2.19.0 is vulnerable", severity: "critical", component: "api", url: "https://github.com/acme/app/issues/7" },
      { title: HOSTILE, severity: "medium", component: null, url: "javascript:alert(1)" },
    ],
    alerts: [makeAlert()],
    links: [{ label: "Dashboard", url: "https://cowabunga.example.com/acme/app" }],
    ...over,
  };
}

describe("EmailChannel with a real SMTP server", () => {
  it("sends an alert with subject, a text part and an HTML part; authenticates from the SMTP URL", async () => {
    const channel = new EmailChannel({ smtpUrl: smtpUrl(), from: "cowabunga@example.com", recipients: ["ops@example.com", "dev@example.com"], repo: "acme/app" });
    await channel.send(makeAlert());
    channel.close();
    expect(smtp.mails).toHaveLength(1);
    const m = smtp.mails[0];
    expect(m.user).toBe(SMTP_USER);
    expect(m.from).toBe("cowabunga@example.com");
    expect(m.to).toEqual(["ops@example.com", "dev@example.com"]);
    const mail = parseMail(m.raw);
    expect(mail.headers.subject).toBe("[Cowabunga] CRITICAL: requests 2.19.0: CVE-2018-18074 (CVSS 9.8) (acme/app)");
    expect(mail.headers["content-type"]).toMatch(/^multipart\/alternative/);
    expect(mail.parts.map((p) => p.type)).toEqual(["text/plain", "text/html"]);
    const [text, html] = mail.parts.map((p) => p.body);
    expect(text).toContain("requests < 2.20.0 leaks Authorization headers on redirects.");
    expect(text).toContain("Component: api");
    expect(text).toContain("Report: https://example.com/report/acme/app");
    expect(text).not.toContain("javascript:");
    expect(html).toContain("requests &lt; 2.20.0 leaks Authorization headers");
    expect(html).toContain('<a href="https://example.com/report/acme/app">Report</a>');
    expect(html).not.toContain('href="javascript:');
  });

  it("escapes hostile text in HTML, keeps the subject on one line (no header injection)", async () => {
    const channel = new EmailChannel({ smtpUrl: smtpUrl(), from: "cowabunga@example.com", recipients: ["ops@example.com"] });
    await channel.send(makeAlert({ title: HOSTILE, message: HOSTILE, component: "<b>x</b>" }));
    channel.close();
    const m = smtp.mails[0];
    expect(m.to).toEqual(["ops@example.com"]); // the "Bcc:" in the title did not add a recipient
    const mail = parseMail(m.raw);
    expect(mail.headers.bcc).toBeUndefined();
    expect(mail.headers.subject).toContain("Bcc: victim@example.com");
    const html = mail.parts[1].body;
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;!channel&gt;");
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(mail.parts[0].body).toContain('<script>alert("x")</script>'); // text/plain shows it literally
  });

  it("sends a digest with counts, top issues and alerts", async () => {
    const channel = new EmailChannel({ smtpUrl: smtpUrl(), from: "cowabunga@example.com", recipients: ["ops@example.com"] });
    await channel.sendDigest(summary(), "weekly");
    channel.close();
    const mail = parseMail(smtp.mails[0].raw);
    expect(mail.headers.subject).toBe("[Cowabunga] Weekly maintenance summary for acme/app: warning, 4 open issues");
    expect(mail.headers["x-cowabunga-digest"]).toBe("weekly");
    const [text, html] = mail.parts.map((p) => p.body);
    expect(text).toContain("Open issues: 4 (critical 1, high 1, medium 2, low 0)");
    expect(text).toContain("Resolved this period: 2");
    expect(text).toContain("- [critical] requests 2.19.0 is vulnerable (api) https://github.com/acme/app/issues/7");
    expect(text).toContain("Alerts this period:");
    expect(html).toContain('<a href="https://github.com/acme/app/issues/7">requests 2.19.0 is vulnerable</a>');
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("javascript:");
  });

  it("fails with a message naming the SMTP host but not the password when the server is down", async () => {
    await smtp.stop();
    const channel = new EmailChannel({ smtpUrl: smtpUrl(), from: "cowabunga@example.com", recipients: ["ops@example.com"] });
    const err = await channel.send(makeAlert()).then(
      () => null,
      (e: Error) => e,
    );
    channel.close();
    expect(err?.message).toMatch(new RegExp(`^SMTP 127\\.0\\.0\\.1:${smtp.port}: .*ECONNREFUSED`));
    expect(err?.message).not.toContain(SMTP_PASS);
  });

  it("refuses to send without recipients", async () => {
    const channel = new EmailChannel({ smtpUrl: smtpUrl(), from: "cowabunga@example.com", recipients: [] });
    await expect(channel.send(makeAlert())).rejects.toThrow(/no recipients/);
    expect(smtp.mails).toHaveLength(0);
  });
});

describe("renderers", () => {
  it("daily digest says Daily; maintenance mode is shown", () => {
    const r = renderDigestEmail(summary({ maintenance_mode: true, counts: { ...summary().counts, resolved_in_period: null } }), "daily");
    expect(r.subject).toBe("[Cowabunga] Daily maintenance summary for acme/app: warning (maintenance mode), 4 open issues");
    expect(r.text).not.toContain("Resolved this period");
  });
  it("alert subject has no control characters", () => {
    expect(renderAlertEmail(makeAlert({ title: "a\r\nb\u0000c" })).subject).toBe("[Cowabunga] CRITICAL: a b c");
  });
});

describe("digestDue", () => {
  const at = (iso: string) => () => new Date(iso);
  it("is due when never sent, never when off", () => {
    expect(digestDue(null, "daily", at("2026-01-01T00:00:00Z"))).toBe(true);
    expect(digestDue(null, "off", at("2026-01-01T00:00:00Z"))).toBe(false);
  });
  it("daily: due after a day, with one hour of tolerance for cron jitter", () => {
    const last = "2026-01-01T06:10:00.000Z";
    expect(digestDue(last, "daily", at("2026-01-01T18:00:00Z"))).toBe(false);
    expect(digestDue(last, "daily", at("2026-01-02T05:09:59Z"))).toBe(false);
    expect(digestDue(last, "daily", at("2026-01-02T05:10:00Z"))).toBe(true);
    expect(digestDue(last, "daily", at("2026-01-02T06:00:00Z"))).toBe(true);
  });
  it("weekly: due after seven days (minus the tolerance)", () => {
    const last = new Date("2026-01-05T06:00:00.000Z");
    expect(digestDue(last, "weekly", at("2026-01-11T06:00:00Z"))).toBe(false);
    expect(digestDue(last, "weekly", at("2026-01-12T05:00:00Z"))).toBe(true);
    expect(digestDue(last, "weekly", at("2026-01-12T04:59:59Z"))).toBe(false);
  });
  it("treats an unreadable date as never sent, and a date far in the future (clock moved) as due", () => {
    expect(digestDue("not a date", "weekly", at("2026-01-01T00:00:00Z"))).toBe(true);
    expect(digestDue("2026-03-01T00:00:00Z", "daily", at("2026-01-01T00:00:00Z"))).toBe(true);
    expect(digestDue("2026-01-01T01:00:00Z", "daily", at("2026-01-01T00:00:00Z"))).toBe(false);
  });
});
