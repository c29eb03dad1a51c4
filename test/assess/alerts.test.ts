import { describe, expect, it } from "vitest";
import { assess, dispatchAlerts, RecordingChannel, sentLogKey, type Alert } from "../../src/assess/index.js";
import { makeDependency, makeTestResult } from "../helpers/factories.js";
import { config, makeAdvisory, makeInputs, NOW } from "./helpers.js";

function alert(over: Partial<Alert> = {}): Alert {
  return { key: "low_coverage:api", condition: "low_coverage", level: "low", title: "t", message: "m", component: "api", issue_ids: [], created_at: NOW.toISOString(), links: [], ...over };
}

describe("buildAlerts via assess", () => {
  it("raises the four conditions with config thresholds", () => {
    const a = assess(
      makeInputs({
        dependencies: [
          makeDependency({ name: "requests", advisories: [makeAdvisory({ score: 8.1 })], days_behind: 400 }),
          makeDependency({ name: "urllib3", advisories: [makeAdvisory({ id: "GHSA-low", score: 8.0 })], days_behind: 10 }),
        ],
        testResults: { api: [makeTestResult({ line_coverage: 55 })] },
      }),
      config(),
      () => NOW,
    );
    const byCondition = Object.fromEntries(a.alerts.map((x) => [x.condition, x]));
    expect(a.alerts.filter((x) => x.condition === "critical_cvss")).toHaveLength(1); // 8.0 is not > 8.0
    expect(byCondition.critical_cvss.level).toBe("critical");
    expect(byCondition.critical_cvss.title).toContain("PYSEC-2018-28: requests");
    expect(byCondition.low_component_health).toMatchObject({ level: "high", key: "low_component_health:api", component: "api" });
    expect(byCondition.outdated_dependency).toMatchObject({ level: "medium", key: "outdated_dependency:pypi:requests" });
    expect(byCondition.low_coverage).toMatchObject({ level: "low", key: "low_coverage:api" });
    const stricter = assess(makeInputs({ dependencies: [makeDependency({ advisories: [makeAdvisory({ score: 8.1 })] })] }), config((c) => (c.thresholds.critical_cvss = 9)), () => NOW);
    expect(stricter.alerts.some((x) => x.condition === "critical_cvss")).toBe(false);
  });

  it("does not alert on issues deferred by an ignore rule", () => {
    const cfg = config((c) => (c.ignore = [{ package: "requests", reason: "accepted" }]));
    const a = assess(makeInputs({ dependencies: [makeDependency({ advisories: [makeAdvisory({ score: 9.9 })], days_behind: 400 })] }), cfg, () => NOW);
    expect(a.alerts.filter((x) => x.condition === "critical_cvss" || x.condition === "outdated_dependency")).toEqual([]);
  });
});

describe("dispatchAlerts", () => {
  const channels = () => ({ email: new RecordingChannel("email"), slack: new RecordingChannel("slack"), github: new RecordingChannel("github"), dashboard: new RecordingChannel("dashboard") });

  it("routes critical everywhere and others to slack and the dashboard", async () => {
    const ch = channels();
    const r = await dispatchAlerts([alert({ key: "critical_cvss:x", condition: "critical_cvss", level: "critical" }), alert()], Object.values(ch), {}, () => NOW, 24);
    expect(ch.email.sent.map((a) => a.key)).toEqual(["critical_cvss:x"]);
    expect(ch.github.sent.map((a) => a.key)).toEqual(["critical_cvss:x"]);
    expect(ch.slack.sent.map((a) => a.key)).toEqual(["critical_cvss:x", "low_coverage:api"]);
    expect(ch.dashboard.sent).toHaveLength(2);
    expect(r.sentLog[sentLogKey("slack", "low_coverage:api")]).toBe(NOW.toISOString());
  });

  it("suppresses the same key inside the quiet period and sends it after", async () => {
    const ch = channels();
    const first = await dispatchAlerts([alert(), alert()], Object.values(ch), {}, () => NOW, 24);
    expect(ch.slack.sent).toHaveLength(1); // duplicate in one batch sent once
    const log = JSON.parse(JSON.stringify(first.sentLog)) as Record<string, string>; // serialisable
    const in23h = new Date(NOW.getTime() + 23 * 3_600_000);
    const second = await dispatchAlerts([alert()], Object.values(ch), log, () => in23h, 24);
    expect(second.sent).toEqual([]);
    expect(second.suppressed.map((s) => s.channel).sort()).toEqual(["dashboard", "slack"]);
    const in25h = new Date(NOW.getTime() + 25 * 3_600_000);
    const third = await dispatchAlerts([alert()], Object.values(ch), log, () => in25h, 24);
    expect(third.sent).toHaveLength(2);
    expect(ch.slack.sent).toHaveLength(2);
  });

  it("keeps going when a channel fails, and retries only that channel next time", async () => {
    const broken = new RecordingChannel("slack", "webhook returned 500");
    const dashboard = new RecordingChannel("dashboard");
    const r = await dispatchAlerts([alert()], [broken, dashboard], {}, () => NOW, 24);
    expect(r.errors).toEqual([{ key: "low_coverage:api", channel: "slack", message: "webhook returned 500" }]);
    expect(dashboard.sent).toHaveLength(1);
    expect(Object.keys(r.sentLog)).toEqual([sentLogKey("dashboard", "low_coverage:api")]);
    const fixed = new RecordingChannel("slack");
    const again = await dispatchAlerts([alert()], [fixed, dashboard], r.sentLog, () => NOW, 24);
    expect(again.suppressed).toEqual([{ key: "low_coverage:api", channel: "dashboard", last_sent: NOW.toISOString() }]);
    expect(fixed.sent).toHaveLength(1);
    expect(dashboard.sent).toHaveLength(1);
  });
});
