import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChannels, routeAlert } from "../../../src/act/notify/index.js";
import { defaultConfig, type CowabungaConfig } from "../../../src/config/schema.js";
import { FileStore } from "../../../src/store/index.js";
import type { Severity } from "../../../src/model/index.js";
import { makeAlert, recordingLogger } from "./peers.js";

describe("routeAlert (the seed's routing table)", () => {
  const table: Array<[Severity, string[]]> = [
    ["critical", ["email", "slack", "github", "dashboard"]],
    ["high", ["slack", "dashboard"]],
    ["medium", ["slack", "dashboard"]],
    ["low", ["slack", "dashboard"]],
  ];
  it.each(table)("%s → %j", (level, channels) => {
    expect(routeAlert(makeAlert({ level }))).toEqual(channels);
  });
});

describe("createChannels", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-notify-routing-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const repo = { owner: "acme", repo: "app" };

  function cfg(n: Partial<CowabungaConfig["notifications"]>): CowabungaConfig {
    const c = defaultConfig();
    c.notifications = { ...c.notifications, ...n };
    return c;
  }

  it("defaults: only GitHub (enabled by default) and the dashboard", () => {
    const store = new FileStore({ root });
    const github = { postComment: async () => undefined, createIssue: async () => undefined };
    const r = createChannels(defaultConfig(), {}, { store, repo, github });
    expect(r.channels.map((c) => c.name)).toEqual(["github", "dashboard"]);
    expect(r.warnings).toEqual([]);
  });

  it("builds one Slack channel per configured name that has a webhook, email when fully configured", () => {
    const env = {
      COWABUNGA_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T1/B1/secretdefault",
      COWABUNGA_SLACK_WEBHOOK_OPS: "https://hooks.slack.com/services/T1/B2/secretops",
      COWABUNGA_SMTP_URL: "smtp://u:topsecret@mail.example.com:587",
      COWABUNGA_EMAIL_FROM: "bot@example.com",
    };
    const logger = recordingLogger();
    const r = createChannels(
      cfg({
        slack: { enabled: true, channels: ["default", "ops", "missing"] },
        email: { enabled: true, recipients: ["a@example.com"], digest: "daily" },
      }),
      env,
      { logger },
    );
    expect(r.channels.map((c) => c.name)).toEqual(["slack:default", "slack:ops", "email"]);
    expect(r.email?.name).toBe("email");
    expect(r.warnings).toEqual([
      'notifications.slack.channels names "missing" but COWABUNGA_SLACK_WEBHOOK_MISSING is not set',
      "notifications.github is enabled but no GitHub client is available (CLI run): GitHub notifications skipped",
    ]);
    expect(r.secrets).toEqual([env.COWABUNGA_SLACK_WEBHOOK_URL, env.COWABUNGA_SLACK_WEBHOOK_OPS, env.COWABUNGA_SMTP_URL]);
    const logged = logger.lines.join("\n");
    for (const s of ["secretdefault", "secretops", "topsecret"]) expect(logged).not.toContain(s);
  });

  it("explains what is missing for email, without naming secrets", () => {
    const r = createChannels(cfg({ email: { enabled: true, recipients: [], digest: "weekly" }, github: { enabled: false, mention: [] } }), {
      COWABUNGA_SMTP_URL: "http://user:pw@mail.example.com",
    });
    expect(r.channels).toEqual([]);
    expect(r.warnings).toEqual([
      "COWABUNGA_SMTP_URL must start with smtp:// or smtps:// (host mail.example.com)",
      "notifications.email is enabled but COWABUNGA_EMAIL_FROM is not set",
      "notifications.email is enabled but notifications.email.recipients is empty",
    ]);
  });

  it("disabled Slack ignores webhook variables", () => {
    const r = createChannels(cfg({ github: { enabled: false, mention: [] } }), { COWABUNGA_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/x/y/z" });
    expect(r.channels).toEqual([]);
  });
});

describe("the operator's e-mail domain allow-list", () => {
  it("keeps only recipients in COWABUNGA_EMAIL_ALLOWED_DOMAINS and warns about the others", async () => {
    const { allowedRecipients } = await import("../../../src/act/notify/routing.js");
    const warnings: string[] = [];
    expect(allowedRecipients(["a@corp.example", "b@evil.example", "c@CORP.example"], " corp.example ", warnings)).toEqual([
      "a@corp.example",
      "c@CORP.example",
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/evil\.example/);
    expect(allowedRecipients(["x@any.example"], undefined, [])).toEqual(["x@any.example"]);
  });
});
