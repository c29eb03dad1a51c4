/**
 * Survivors of the focused mutation run of src/assess/alerts.ts (issue 18): the order of the outdated
 * alerts when the dependencies come unsorted, the issue behind an alert found by its subject only, the
 * exact outdated boundary when outdated_months × 30.44 is a whole number of days (25 → 761), and an
 * alert listed twice being sent once. Expected values are written out here.
 */
import { describe, expect, it } from "vitest";
import { buildAlerts, dispatchAlerts, RecordingChannel, type AlertInputs } from "../../src/assess/alerts.js";
import type { Alert } from "../../src/assess/types.js";
import { makeDependency, makeIssue } from "../helpers/factories.js";
import { config, NOW } from "./helpers.js";

function inputs(over: Partial<AlertInputs> = {}): AlertInputs {
  return { issues: [], cvssByIssue: {}, components: [], dependencies: [], coverage: {}, config: config(), now: NOW, ...over };
}

const old = (over: Parameters<typeof makeDependency>[0] = {}) =>
  makeDependency({ name: "flask", version: "1.0", latest_version: "3.0.3", package_manager: "pip", datasource: "pypi", component: "api", days_behind: 400, skip_reason: null, ...over });

describe("outdated_dependency (survivors)", () => {
  it("sorts the alerts by key even when the dependencies come in reverse order", () => {
    const deps = [old({ name: "zope" }), old({ name: "yaml", package_manager: "npm", datasource: "npm" }), old({ name: "attrs" }), old({ name: "jinja2" })];
    expect(buildAlerts(inputs({ dependencies: deps })).map((a) => a.key)).toEqual([
      "outdated_dependency:npm:yaml",
      "outdated_dependency:pypi:attrs",
      "outdated_dependency:pypi:jinja2",
      "outdated_dependency:pypi:zope",
    ]);
  });

  it("links only the issue whose subject names the package, not another open issue", () => {
    const other = makeIssue({ id: "sec-9", type: "security", status: "open", subject: "security:pypi:requests@2.19.0" });
    const resolvedOther = makeIssue({ id: "dep-2", type: "dependency", status: "resolved", subject: "dependency:pypi:attrs" });
    const [a] = buildAlerts(inputs({ dependencies: [old()], issues: [other, resolvedOther] }));
    expect(a).toMatchObject({ key: "outdated_dependency:pypi:flask", issue_ids: [] });
  });

  it("with outdated_months 25 the limit is exactly 761 days: 761 is not outdated, 761.01 is", () => {
    const cfg = config((c) => (c.thresholds.outdated_months = 25));
    expect(buildAlerts(inputs({ dependencies: [old({ days_behind: 761 })], config: cfg }))).toEqual([]);
    expect(buildAlerts(inputs({ dependencies: [old({ days_behind: 761.01 })], config: cfg }))).toHaveLength(1);
  });
});

describe("dispatchAlerts (survivors)", () => {
  it("an alert key listed twice is sent once per channel", async () => {
    const a: Alert = { key: "low_coverage:api", condition: "low_coverage", level: "low", title: "t", message: "m", component: "api", issue_ids: [], created_at: NOW.toISOString(), links: [] };
    const slack = new RecordingChannel("slack");
    const r = await dispatchAlerts([a, { ...a, title: "t2" }], [slack], {}, () => NOW, 24);
    expect(r.sent).toEqual([{ key: "low_coverage:api", channel: "slack" }]);
    expect(r.suppressed).toEqual([]);
    expect(slack.sent.map((x) => x.title)).toEqual(["t"]);
  });
});
