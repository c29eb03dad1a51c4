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
}

export function fakeStages(opts: FakeStagesOptions): PipelineStages {
  return {
    async enrich({ scan }) {
      return scan.dependencies.map(
        (d): Dependency =>
          makeDependency({
            name: d.name,
            version: d.version,
            package_manager: d.package_manager,
            component: d.component,
            file: d.file,
            line: d.line,
            current_value: d.current_value,
            locked_version: d.locked_version,
            dependency_type: d.dependency_type,
            cve_ids: opts.vulnerable.has(`${d.name}@${d.version}`) ? [`CVE-2018-${d.name.length}`] : [],
            vulnerability_score: opts.vulnerable.has(`${d.name}@${d.version}`) ? 7.5 : null,
            advisories: opts.vulnerable.has(`${d.name}@${d.version}`)
              ? [
                  {
                    id: `GHSA-${d.name}`,
                    aliases: [`CVE-2018-${d.name.length}`],
                    summary: `${d.name} <script>alert(1)</script> leaks @everyone credentials`,
                    url: `https://osv.dev/vulnerability/GHSA-${d.name}`,
                    score: 7.5,
                    score_estimated: false,
                    cvss_vector: null,
                    fixed_version: "99.0.0",
                    published: null,
                  },
                ]
              : [],
          }),
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
        alerts: [],
        warnings: inputs.scan.warnings,
      };
      return assessment;
    },
  };
}
