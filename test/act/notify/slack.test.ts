import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackChannel, buildSlackMessage, escapeSlack, slackWebhookUrls } from "../../../src/act/notify/index.js";
import { HOSTILE, makeAlert, startSlackPeer, type SlackPeer } from "./peers.js";

const ALLOW = { COWABUNGA_ALLOW_PRIVATE_URLS: "true" };

let peer: SlackPeer;
beforeEach(async () => {
  peer = await startSlackPeer();
});
afterEach(async () => {
  await peer.close();
});

type Blocks = Array<{ type: string; text?: { type: string; text: string }; fields?: Array<{ text: string }>; elements?: Array<Record<string, unknown>> }>;

describe("escapeSlack", () => {
  it("escapes only &, < and > (Slack mrkdwn control characters) and drops control characters", () => {
    expect(escapeSlack("a & b <c> <!channel> *bold*\u0007")).toBe("a &amp; b &lt;c&gt; &lt;!channel&gt; *bold*");
  });
});

describe("SlackChannel with a real webhook endpoint", () => {
  it("posts a Block Kit message: header with emoji and title, status/counts, fields, context, link buttons", async () => {
    const channel = new SlackChannel({ url: peer.url, env: ALLOW, repo: "acme/app" });
    await channel.send(makeAlert());
    expect(peer.payloads).toHaveLength(1);
    const body = peer.payloads[0];
    const blocks = body.blocks as Blocks;
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "section", "context", "actions"]);
    expect(blocks[0].text).toEqual({ type: "plain_text", text: ":rotating_light: requests 2.19.0: CVE-2018-18074 (CVSS 9.8)", emoji: true });
    expect(blocks[1].text?.text).toContain("*Status:* CRITICAL · *Issues:* 1");
    expect(blocks[1].text?.text).toContain("leaks Authorization headers");
    expect(blocks[2].fields?.map((f) => f.text)).toEqual(["*Component*\napi", "*Condition*\nCritical CVE (CVSS above threshold)"]);
    expect(JSON.stringify(blocks[3])).toContain("acme/app");
    // Only the http(s) link becomes a button; javascript: is dropped.
    expect(blocks[4].elements).toEqual([
      { type: "button", action_id: "cowabunga_link_0", text: { type: "plain_text", text: "Report", emoji: false }, url: "https://example.com/report/acme/app" },
    ]);
    expect(body.text).toBe(":rotating_light: [CRITICAL] requests 2.19.0: CVE-2018-18074 (CVSS 9.8)");
  });

  it("escapes hostile text in mrkdwn so no <!channel> or <@user> survives", async () => {
    const channel = new SlackChannel({ url: peer.url, env: ALLOW });
    await channel.send(makeAlert({ title: HOSTILE, message: HOSTILE, component: "<@U999>", level: "medium", links: [] }));
    const raw = JSON.stringify(peer.payloads[0]);
    // Every mrkdwn text has no raw < or > left.
    const blocks = peer.payloads[0].blocks as Blocks;
    const mrkdwn = [blocks[1].text?.text ?? "", ...(blocks[2].fields ?? []).map((f) => f.text), String(peer.payloads[0].text)];
    for (const t of mrkdwn) expect(t).not.toMatch(/[<>]/);
    expect(raw).toContain("&lt;!channel&gt;");
    expect(blocks[2].fields?.[0].text).toBe("*Component*\n&lt;@U999&gt;");
    // header is plain_text: shown literally, one line, no CR/LF
    expect(blocks[0].text?.text.startsWith(":large_orange_circle: <script>")).toBe(true);
    expect(blocks[0].text?.text).not.toMatch(/[\r\n]/);
    expect(blocks.map((b) => b.type)).not.toContain("actions");
  });

  it("caps long texts to Block Kit limits", () => {
    const msg = buildSlackMessage(makeAlert({ title: "t".repeat(500), message: "m".repeat(5000) }));
    const blocks = msg.blocks as Blocks;
    expect(blocks[0].text?.text.length).toBeLessThanOrEqual(150);
    expect(blocks[1].text?.text.length).toBeLessThanOrEqual(3000);
  });

  it("refuses a loopback webhook unless COWABUNGA_ALLOW_PRIVATE_URLS=true, and names only the host", async () => {
    const channel = new SlackChannel({ url: peer.url, env: {} });
    const err = await channel.send(makeAlert()).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^Slack webhook 127\.0\.0\.1:\d+ \(slack:default\): refusing/);
    expect(err?.message).not.toContain(peer.secret);
    expect(peer.hits).toBe(0);
  });

  it("throws a redacted error on HTTP 500 (the outbox retries it)", async () => {
    peer.status = 500;
    const channel = new SlackChannel({ url: peer.url, env: ALLOW });
    const err = await channel.send(makeAlert()).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toContain("HTTP 500");
    expect(err?.message).not.toContain(peer.secret);
    expect(peer.hits).toBe(1);
  });

  it("throws a redacted error when nobody listens", async () => {
    const url = peer.url;
    await peer.close();
    const channel = new SlackChannel({ url, env: ALLOW });
    const err = await channel.send(makeAlert()).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/ECONNREFUSED|fetch failed/);
    expect(err?.message).not.toContain(peer.secret);
    peer = await startSlackPeer(); // for afterEach
  });
});

describe("slackWebhookUrls", () => {
  it("maps names to COWABUNGA_SLACK_WEBHOOK_<NAME>, accepts COWABUNGA_SLACK_WEBHOOK_URL for default, reports missing names", () => {
    const env = { COWABUNGA_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/A/B/C", COWABUNGA_SLACK_WEBHOOK_OPS: "https://hooks.slack.com/services/D/E/F" };
    expect(slackWebhookUrls(["default", "ops", "dev"], env)).toEqual({
      urls: [
        { name: "default", url: "https://hooks.slack.com/services/A/B/C" },
        { name: "ops", url: "https://hooks.slack.com/services/D/E/F" },
      ],
      missing: ["dev"],
    });
    // The specific variable wins over the generic one.
    expect(slackWebhookUrls(["default"], { ...env, COWABUNGA_SLACK_WEBHOOK_DEFAULT: "https://hooks.slack.com/services/X/Y/Z" }).urls[0].url).toBe(
      "https://hooks.slack.com/services/X/Y/Z",
    );
  });
});
