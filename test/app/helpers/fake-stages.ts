/**
 * Stand-ins for the enrich and assess stages (other engineers' modules), so the GitHub tests exercise
 * this app's own behaviour: a dependency is "vulnerable" when listed in `vulnerable` (name@version),
 * each vulnerable dependency gives one security issue, and an earlier issue no longer found is resolved.
 */
import type { Assessment, AssessInputs } from "../../../src/assess/types.js";
import type { PipelineStages } from "../../../src/pipeline/github.js";
import { transitionIssue } from "../../../src/model/lifecycle.js";
import type { Dependency, MaintenanceIssue } from "../../../src/model/index.js";
import { makeComponentHealth, makeDependency, makeIssue, makeSystemHealth } from "../../helpers/factories.js";

export interface FakeStagesOptions {
  vulnerable: Set<string>;
  /** Records of calls, for assertions. */
  calls?: { assess: AssessInputs[] };
  /** name@version → the version that fixes it (a fixable vulnerability). Others have no known fix. */
  fixes?: Record<string, string>;
  /** name@version → CVSS score of its advisory (default 7.5). */
  scores?: Record<string, number>;
}

export function fakeStages(opts: FakeStagesOptions): PipelineStages {
  return {
    async enrich({ scan }) {
      return scan.dependencies.map(
        (d): Dependency => {
          const key = `${d.name}@${d.version}`;
          const vulnerable = opts.vulnerable.has(key);
          const fix = opts.fixes?.[key] ?? null;
          const score = opts.scores?.[key] ?? 7.5;
          // Up to date unless a fix is known: no update PR is planned for the other dependencies.
          return makeDependency({
            name: d.name,
            version: d.version,
            package_manager: d.package_manager,
            component: d.component,
            file: d.file,
            line: d.line,
            current_value: d.current_value,
            locked_version: d.locked_version,
            dependency_type: d.dependency_type,
            latest_version: fix ?? d.version,
            fixed_version: vulnerable ? fix : null,
            update_type: fix ? "patch" : "none",
            latest_release_date: "2025-01-01T00:00:00.000Z",
            cve_ids: vulnerable ? [`CVE-2018-${d.name.length}`] : [],
            vulnerability_score: vulnerable ? score : null,
            advisories: vulnerable
              ? [
                  {
                    id: `GHSA-${d.name}`,
                    kind: "vulnerability" as const,
                    aliases: [`CVE-2018-${d.name.length}`],
                    summary: `${d.name} <script>alert(1)</script> leaks @everyone credentials`,
                    url: `https://osv.dev/vulnerability/GHSA-${d.name}`,
                    score,
                    score_estimated: false,
                    cvss_vector: null,
                    fixed_version: fix ?? "99.0.0",
                    published: null,
                  },
                ]
              : [],
          });
        },
      );
    },
    async assess(inputs, { clock }) {
      opts.calls?.assess.push(inputs);
      const now = clock().toISOString();
      const found: MaintenanceIssue[] = inputs.dependencies
        .filter((d) => d.cve_ids.length > 0)
        .map((d) => {
          const id = `sec-${d.package_manager}-${d.name}`;
          const prev = inputs.previousIssues.find((p) => p.id === id);
          if (prev) {
            if (prev.lifecycle_state === "resolved") return transitionIssue(prev, "reopened", { at: now, reason: "found again", actor: "cowabunga" });
            return prev;
          }
          return makeIssue({
            id,
            title: `${d.name} ${d.version} has a known vulnerability`,
            description: `GHSA-${d.name} affects ${d.name} ${d.version}.\nUpgrade it.`,
            affected_components: [d.component],
            files_affected: [d.file],
            subject: `${d.package_manager}:${d.name}@${d.version}:GHSA-${d.name}`,
            severity: (d.vulnerability_score ?? 0) >= 9 ? "critical" : "high",
            created_at: now,
            updated_at: now,
          });
        });
      const ids = new Set(found.map((i) => i.id));
      const resolved = inputs.previousIssues
        .filter((p) => !ids.has(p.id))
        .map((p) =>
          p.lifecycle_state === "resolved" || p.lifecycle_state === "deferred" ? p : transitionIssue(p, "resolved", { at: now, reason: "the vulnerable version is no longer used", actor: "cowabunga" }),
        );
      const issues = [...found, ...resolved];
      const open = issues.filter((i) => i.status === "open");
      const components = inputs.scan.components.map((c) =>
        makeComponentHealth({ name: c.name, path: c.path, type: c.type, last_health_check: now, open_issues: open.filter((i) => i.affected_components.includes(c.name)).length }),
      );
      const assessment: Assessment = {
        system: makeSystemHealth({ timestamp: now, overall_status: open.length > 0 ? "warning" : "healthy", components: [] }),
        components,
        issues,
        dependencies: inputs.dependencies,
        // The seed's critical alert: an advisory above thresholds.critical_cvss (default 8.0).
        alerts: inputs.dependencies
          .filter((d) => (d.vulnerability_score ?? 0) > 8)
          .map((d) => ({
            key: `critical_cvss:${d.name}`,
            condition: "critical_cvss" as const,
            level: "critical" as const,
            title: `Critical vulnerability in ${d.name} ${d.version}`,
            message: `CVSS ${d.vulnerability_score} advisory GHSA-${d.name} affects ${d.name} ${d.version}`,
            component: d.component,
            issue_ids: [`sec-${d.package_manager}-${d.name}`],
            created_at: now,
            links: [],
          })),
        warnings: inputs.scan.warnings,
      };
      return assessment;
    },
  };
}
