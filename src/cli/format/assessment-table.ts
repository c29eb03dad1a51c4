import type { Assessment } from "../../assess/types.js";
import type { Dependency, Severity } from "../../model/index.js";
import { fileLocation, printable, renderTable, shownVersion } from "./table.js";
import { isUncheckedForAdvisories } from "../../act/report/summary.js";

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const UPDATE_ORDER: Record<string, number> = { major: 0, minor: 1, patch: 2, digest: 3, unknown: 4, none: 5 };

function isOutdated(d: Dependency): boolean {
  return d.update_type === "major" || d.update_type === "minor" || d.update_type === "patch" || d.update_type === "digest";
}

/** Vulnerable first (highest score first), then outdated (biggest update, most days behind), then the rest by name. */
export function compareDependencies(a: Dependency, b: Dependency): number {
  const va = a.advisories.length > 0 ? 0 : 1;
  const vb = b.advisories.length > 0 ? 0 : 1;
  if (va !== vb) return va - vb;
  if (va === 0 && (a.vulnerability_score ?? -1) !== (b.vulnerability_score ?? -1)) return (b.vulnerability_score ?? -1) - (a.vulnerability_score ?? -1);
  const oa = isOutdated(a) ? 0 : 1;
  const ob = isOutdated(b) ? 0 : 1;
  if (oa !== ob) return oa - ob;
  if (oa === 0) {
    const u = (UPDATE_ORDER[a.update_type] ?? 9) - (UPDATE_ORDER[b.update_type] ?? 9);
    if (u !== 0) return u;
    const days = (b.days_behind ?? -1) - (a.days_behind ?? -1);
    if (days !== 0) return days;
  }
  return a.component.localeCompare(b.component) || a.name.localeCompare(b.name) || a.file.localeCompare(b.file);
}

/** `cowabunga scan` table after enrichment: health, open issues, then dependencies (vulnerable and outdated first). */
export function formatAssessmentTable(a: Assessment, source: string): string {
  const parts: string[] = [];
  const open = a.issues.filter((i) => i.status === "open" || i.status === "in_progress");
  const vulnerable = a.dependencies.filter((d) => d.advisories.length > 0).length;
  const outdated = a.dependencies.filter(isOutdated).length;
  // "0 vulnerable" must not hide that nothing was checked.
  const notChecked = a.dependencies.filter(isUncheckedForAdvisories).length;
  parts.push(`Source: ${printable(source)}`);
  parts.push(
    `Status ${a.system.overall_status}: ${a.components.length} components, ${a.dependencies.length} dependencies ` +
      `(${vulnerable} vulnerable, ${outdated} outdated${notChecked > 0 ? `, ${notChecked} not checked for advisories` : ""}), ${open.length} open issues, ${a.warnings.length} warnings\n`,
  );
  parts.push("Components");
  parts.push(
    renderTable(
      ["NAME", "TYPE", "STATUS", "HEALTH", "OPEN", "CRITICAL"],
      [...a.components]
        .sort((x, y) => x.health_score - y.health_score || x.name.localeCompare(y.name))
        .map((c) => [c.name, c.type, c.status, c.health_score.toFixed(2), String(c.open_issues), String(c.critical_issues)]),
    ),
  );
  if (open.length) {
    parts.push("Open issues");
    parts.push(
      renderTable(
        ["SEVERITY", "PRIORITY", "TYPE", "TITLE", "COMPONENTS"],
        [...open]
          .sort((x, y) => SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity] || x.title.localeCompare(y.title))
          .map((i) => [i.severity, i.priority, i.type, i.title, i.affected_components.join(", ") || "-"]),
        80,
      ),
    );
  }
  parts.push("Dependencies");
  parts.push(
    renderTable(
      ["COMPONENT", "PACKAGE", "VERSION", "LATEST", "UPDATE", "RISK", "ADVISORIES", "CVSS", "FIXED IN", "FILE"],
      [...a.dependencies].sort(compareDependencies).map((d) => [
        d.component,
        d.name,
        shownVersion(d),
        d.latest_version ?? (d.lookup.status === "ok" ? "-" : `? (${d.lookup.status})`),
        d.update_type,
        d.update_risk,
        d.advisories.map((x) => x.id).join(", ") || "-",
        d.vulnerability_score === null ? "-" : d.vulnerability_score.toFixed(1),
        d.fixed_version ?? "-",
        fileLocation(d.file, d.line),
      ]),
    ),
  );
  if (a.warnings.length) {
    parts.push("Warnings");
    for (const w of a.warnings) parts.push(`  ${w.file ? `${printable(fileLocation(w.file, w.line))}: ` : ""}${printable(w.message)}`);
    parts.push("");
  }
  return parts.join("\n");
}
