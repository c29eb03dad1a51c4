/**
 * buildAlerts condition by condition and dispatchAlerts' quiet period, routes and failures (issue 18:
 * mutation testing of src/assess/alerts.ts). Thresholds are the documented defaults (critical_cvss 8.0,
 * component_health 0.7, outdated_months 6 = 182.64 days, coverage_percent 80); expected texts are
 * written out here.
 */
import { describe, expect, it } from "vitest";
import { ALERT_LEVEL, ALERT_ROUTES, buildAlerts, dispatchAlerts, RecordingChannel, sentLogKey, type AlertInputs } from "../../src/assess/alerts.js";
import type { Alert, AlertChannel } from "../../src/assess/types.js";
import type { MaintenanceIssue } from "../../src/model/index.js";
import { makeComponentHealth, makeDependency, makeIssue } from "../helpers/factories.js";
import { config, NOW } from "./helpers.js";

function inputs(over: Partial<AlertInputs> = {}): AlertInputs {
  return { issues: [], cvssByIssue: {}, components: [], dependencies: [], coverage: {}, config: config(), now: NOW, ...over };
}

const secIssue = (over: Partial<MaintenanceIssue> = {}) =>
  makeIssue({ id: "sec-1", type: "security", status: "open", title: "requests 2.19.0: PYSEC-2018-28", affected_components: ["api"], resolution_steps: ["Upgrade requests to 2.20.0"], ...over });

describe("levels and routes", () => {
  it("match the seed: critical everywhere, the rest to Slack and the dashboard", () => {
    expect(ALERT_LEVEL).toEqual({ critical_cvss: "critical", low_component_health: "high", outdated_dependency: "medium", low_coverage: "low", overdue: "high" });
    expect(ALERT_ROUTES).toEqual({ critical: ["email", "slack", "github", "dashboard"], high: ["slack", "dashboard"], medium: ["slack", "dashboard"], low: ["slack", "dashboard"] });
  });
});

describe("critical_cvss", () => {
  it("alerts on an open security issue above the threshold, with its first resolution step", () => {
    const alerts = buildAlerts(inputs({ issues: [secIssue()], cvssByIssue: { "sec-1": 8.05 } }));
    expect(alerts).toEqual([
      {
        key: "critical_cvss:sec-1",
        condition: "critical_cvss",
        level: "critical",
        title: "Critical vulnerability: requests 2.19.0: PYSEC-2018-28",
        message: "CVSS 8.1 (threshold 8). Affects api. Upgrade requests to 2.20.0",
        component: "api",
        issue_ids: ["sec-1"],
        created_at: NOW.toISOString(),
        links: [],
      },
    ]);
  });

  it("without resolution steps the message ends at the components; several components: no single component", () => {
    const [a] = buildAlerts(inputs({ issues: [secIssue({ resolution_steps: [], affected_components: ["api", "ui"] })], cvssByIssue: { "sec-1": 9.8 } }));
    expect(a.message).toBe("CVSS 9.8 (threshold 8). Affects api, ui.");
    expect(a.component).toBeNull();
  });

  it("skips scores at or below the threshold, unknown scores, closed issues and other issue types", () => {
    const none = (over: Partial<AlertInputs>) => expect(buildAlerts(inputs(over))).toEqual([]);
    none({ issues: [secIssue()], cvssByIssue: { "sec-1": 8.0 } });
    none({ issues: [secIssue()], cvssByIssue: { "sec-1": null } });
    none({ issues: [secIssue()], cvssByIssue: {} });
    none({ issues: [secIssue({ status: "resolved" })], cvssByIssue: { "sec-1": 9.8 } });
    none({ issues: [secIssue({ status: "deferred" })], cvssByIssue: { "sec-1": 9.8 } });
    none({ issues: [secIssue({ type: "dependency" })], cvssByIssue: { "sec-1": 9.8 } });
    // In progress is still open.
    expect(buildAlerts(inputs({ issues: [secIssue({ status: "in_progress" })], cvssByIssue: { "sec-1": 9.8 } }))).toHaveLength(1);
    // The threshold comes from config.
    expect(buildAlerts(inputs({ issues: [secIssue()], cvssByIssue: { "sec-1": 5.5 }, config: config((c) => (c.thresholds.critical_cvss = 5)) }))[0].message).toBe(
      "CVSS 5.5 (threshold 5). Affects api. Upgrade requests to 2.20.0",
    );
  });
});

describe("low_component_health", () => {
  it("names the status, the open issues and the weakest signal", () => {
    const comp = makeComponentHealth({ name: "api", status: "warning", health_score: 0.6449, critical_issues: 1, score_breakdown: { security: 0.4, tests: 0.9, coverage: 0.4, issues: 0.75 } });
    const issues = [
      makeIssue({ id: "z", status: "open", affected_components: ["api"] }),
      makeIssue({ id: "a", status: "in_progress", affected_components: ["api", "ui"] }),
      makeIssue({ id: "closed", status: "resolved", affected_components: ["api"] }),
      makeIssue({ id: "other", status: "open", affected_components: ["ui"] }),
    ];
    expect(buildAlerts(inputs({ components: [comp], issues }))).toEqual([
      {
        key: "low_component_health:api",
        condition: "low_component_health",
        level: "high",
        title: "api health is 0.64 (below 0.7)",
        // security and coverage tie at 0.4: the name decides.
        message: "api is warning: 2 open issue(s), 1 critical. Weakest signal: coverage 0.40.",
        component: "api",
        issue_ids: ["a", "z"],
        created_at: NOW.toISOString(),
        links: [],
      },
    ]);
  });

  it("picks the lowest signal whatever the key order, and says nothing without a breakdown", () => {
    const weakest = (score_breakdown: Record<string, number>) =>
      buildAlerts(inputs({ components: [makeComponentHealth({ status: "critical", health_score: 0.2, critical_issues: 0, score_breakdown })] }))[0].message;
    expect(weakest({ tests: 0.1, security: 0.3, freshness: 0.2 })).toBe("api is critical: 0 open issue(s), 0 critical. Weakest signal: tests 0.10.");
    expect(weakest({ ci: 0.5, runtime: 0.5 })).toBe("api is critical: 0 open issue(s), 0 critical. Weakest signal: ci 0.50.");
    expect(weakest({ runtime: 0.5, ci: 0.5 })).toBe("api is critical: 0 open issue(s), 0 critical. Weakest signal: ci 0.50.");
    expect(weakest({})).toBe("api is critical: 0 open issue(s), 0 critical.");
  });

  it("skips unknown health and scores at or above the threshold", () => {
    expect(buildAlerts(inputs({ components: [makeComponentHealth({ status: "unknown", health_score: 0 })] }))).toEqual([]);
    expect(buildAlerts(inputs({ components: [makeComponentHealth({ status: "healthy", health_score: 0.7 })] }))).toEqual([]);
    expect(buildAlerts(inputs({ components: [makeComponentHealth({ status: "warning", health_score: 0.699 })] }))).toHaveLength(1);
  });
});

describe("outdated_dependency", () => {
  const old = (over: Parameters<typeof makeDependency>[0] = {}) => makeDependency({ name: "flask", version: "1.0", latest_version: "3.0.3", package_manager: "pip", datasource: "pypi", component: "api", days_behind: 365.28, skip_reason: null, ...over });

  it("groups one package across components and versions, and titles it with the worst delay", () => {
    const deps = [old(), old({ component: "worker", version: "0.12", days_behind: 913.2 }), old({ component: "api", version: "1.0" })];
    expect(buildAlerts(inputs({ dependencies: deps }))).toEqual([
      {
        key: "outdated_dependency:pypi:flask",
        condition: "outdated_dependency",
        level: "medium",
        title: "flask is 30.0 months behind 3.0.3", // 913.2 / 30.44
        message: "flask 0.12, 1.0 in api, worker is more than 6 months behind.",
        component: null,
        issue_ids: [],
        created_at: NOW.toISOString(),
        links: [],
      },
    ]);
  });

  it("one component: that component; no latest version: 'latest'; the issue behind it when open", () => {
    const issue = makeIssue({ id: "dep-1", type: "dependency", status: "open", subject: "dependency:pypi:flask" });
    const [a] = buildAlerts(inputs({ dependencies: [old({ latest_version: null })], issues: [issue] }));
    expect(a).toMatchObject({ title: "flask is 12.0 months behind latest", component: "api", issue_ids: ["dep-1"] });
  });

  it("stays quiet when the issue behind it is deferred or resolved", () => {
    for (const status of ["deferred", "resolved"] as const) {
      const issue = makeIssue({ id: "dep-1", type: "dependency", status, subject: "dependency:pypi:flask" });
      expect(buildAlerts(inputs({ dependencies: [old()], issues: [issue] })), status).toEqual([]);
    }
  });

  it("needs more than outdated_months × 30.44 days, a known delay, and a dependency that was not skipped", () => {
    expect(buildAlerts(inputs({ dependencies: [old({ days_behind: 182.64 })] }))).toEqual([]);
    expect(buildAlerts(inputs({ dependencies: [old({ days_behind: 182.65 })] }))).toHaveLength(1);
    expect(buildAlerts(inputs({ dependencies: [old({ days_behind: null })] }))).toEqual([]);
    expect(buildAlerts(inputs({ dependencies: [old({ skip_reason: "local path" })] }))).toEqual([]);
    expect(buildAlerts(inputs({ dependencies: [old({ days_behind: 40 })], config: config((c) => (c.thresholds.outdated_months = 1)) }))).toHaveLength(1);
  });

  it("keys by datasource, sorted, so the same name in two ecosystems gives two alerts", () => {
    const deps = [old({ name: "yaml", package_manager: "npm", datasource: "npm" }), old({ name: "attrs" }), old({ name: "yaml", datasource: "pypi" })];
    expect(buildAlerts(inputs({ dependencies: deps })).map((a) => a.key)).toEqual(["outdated_dependency:npm:yaml", "outdated_dependency:pypi:attrs", "outdated_dependency:pypi:yaml"]);
  });
});

describe("low_coverage", () => {
  it("alerts below the threshold only, with the coverage to one decimal", () => {
    const comps = [makeComponentHealth({ name: "api" }), makeComponentHealth({ name: "ui" }), makeComponentHealth({ name: "cli" }), makeComponentHealth({ name: "sdk" })];
    const alerts = buildAlerts(inputs({ components: comps, coverage: { api: 79.95, ui: 80, cli: null } }));
    expect(alerts).toEqual([
      {
        key: "low_coverage:api",
        condition: "low_coverage",
        level: "low",
        title: "api test coverage is 80.0% (below 80%)",
        message: "Line coverage of api is 80.0%, under the 80% threshold.",
        component: "api",
        issue_ids: [],
        created_at: NOW.toISOString(),
        links: [],
      },
    ]);
  });
});

describe("order of the four conditions", () => {
  it("critical, high, medium, low", () => {
    const alerts = buildAlerts(
      inputs({
        issues: [secIssue()],
        cvssByIssue: { "sec-1": 9 },
        components: [makeComponentHealth({ status: "warning", health_score: 0.5 })],
        dependencies: [makeDependency({ days_behind: 400, skip_reason: null })],
        coverage: { api: 10 },
      }),
    );
    expect(alerts.map((a) => a.condition)).toEqual(["critical_cvss", "low_component_health", "outdated_dependency", "low_coverage"]);
  });
});

const alert = (over: Partial<Alert> = {}): Alert => ({
  key: "low_coverage:api",
  condition: "low_coverage",
  level: "low",
  title: "t",
  message: "m",
  component: "api",
  issue_ids: [],
  created_at: NOW.toISOString(),
  links: [],
  ...over,
});
const at = (hours: number) => () => new Date(NOW.getTime() + hours * 3_600_000);

describe("dispatchAlerts", () => {
  it("sends again exactly when the quiet period has passed", async () => {
    const slack = new RecordingChannel("slack");
    const log = { [sentLogKey("slack", "low_coverage:api")]: NOW.toISOString() };
    const early = await dispatchAlerts([alert()], [slack], log, at(23.99), 24);
    expect(early.suppressed).toEqual([{ key: "low_coverage:api", channel: "slack", last_sent: NOW.toISOString() }]);
    expect(early.sentLog).toEqual(log);
    const onTime = await dispatchAlerts([alert()], [slack], log, at(24), 24);
    expect(onTime.sent).toEqual([{ key: "low_coverage:api", channel: "slack" }]);
    expect(onTime.sentLog).toEqual({ "slack|low_coverage:api": at(24)().toISOString() });
    // The input log is not modified.
    expect(log).toEqual({ "slack|low_coverage:api": NOW.toISOString() });
  });

  it("a zero or negative quiet period never suppresses; an unreadable log entry does not either", async () => {
    const slack = new RecordingChannel("slack");
    const log = { [sentLogKey("slack", "low_coverage:api")]: NOW.toISOString() };
    expect((await dispatchAlerts([alert()], [slack], log, () => NOW, 0)).sent).toHaveLength(1);
    expect((await dispatchAlerts([alert()], [slack], log, () => NOW, -5)).sent).toHaveLength(1);
    expect((await dispatchAlerts([alert()], [slack], { "slack|low_coverage:api": "yesterday-ish" }, () => NOW, 24)).sent).toHaveLength(1);
    expect(slack.sent).toHaveLength(3);
  });

  it("the quiet period is per channel: a key sent on Slack is still new to the dashboard", async () => {
    const slack = new RecordingChannel("slack");
    const dashboard = new RecordingChannel("dashboard");
    const r = await dispatchAlerts([alert()], [slack, dashboard], { [sentLogKey("slack", "low_coverage:api")]: NOW.toISOString() }, at(1), 24);
    expect(r.sent).toEqual([{ key: "low_coverage:api", channel: "dashboard" }]);
    expect(r.suppressed.map((s) => s.channel)).toEqual(["slack"]);
    expect(slack.sent).toEqual([]);
  });

  it("logs the time of each send from the clock, follows custom routes, skips unrouted levels", async () => {
    let t = 0;
    const clock = () => at(t++)();
    const email = new RecordingChannel("email");
    const pager = new RecordingChannel("pager");
    const routes = { critical: ["pager"], high: ["pager", "email"], medium: [], low: [] };
    const r = await dispatchAlerts([alert({ key: "a", level: "high" }), alert({ key: "b", level: "medium" })], [email, pager], {}, clock, 24, routes);
    expect(r.sent).toEqual([
      { key: "a", channel: "email" },
      { key: "a", channel: "pager" },
    ]);
    // Each send is stamped after it happened: the clock is read once before and once after each send.
    expect(r.sentLog).toEqual({ "email|a": at(1)().toISOString(), "pager|a": at(3)().toISOString() });
    const none = await dispatchAlerts([alert({ level: "critical" })], [email], {}, () => NOW, 24, { high: [] } as unknown as typeof ALERT_ROUTES);
    expect(none).toEqual({ sentLog: {}, sent: [], suppressed: [], errors: [] });
  });

  it("records a thrown non-Error as its string", async () => {
    const odd: AlertChannel = {
      name: "slack",
      send: () => Promise.reject("rate limited"),
    };
    const r = await dispatchAlerts([alert()], [odd], {}, () => NOW, 24);
    expect(r.errors).toEqual([{ key: "low_coverage:api", channel: "slack", message: "rate limited" }]);
    expect(r.sentLog).toEqual({});
  });

  it("RecordingChannel records, or throws its failure", async () => {
    const ok = new RecordingChannel("x");
    await ok.send(alert());
    expect(ok.sent).toEqual([alert()]);
    const bad = new RecordingChannel("y", "down");
    await expect(bad.send(alert())).rejects.toThrow("down");
    expect(bad.sent).toEqual([]);
  });
});
