import type { RiskLevel } from "../../model/index.js";
import { escapeMarkdown, safeHttpUrl } from "../report/escape.js";
import type { LockfileOutcome } from "./lockfile.js";
import { isCommitSha, isImageDigest, shortDigest } from "./digests.js";
import { markerJson } from "./pulls-git.js";
import type { PlannedGroup, PrMarker } from "./pulls-plan.js";

export interface BodyInput {
  group: PlannedGroup;
  /** The default-branch commit the update branch starts from: the rollback point. */
  baseSha: string;
  defaultBranch: string;
  risk: RiskLevel;
  /** Per changed manifest, what happened to its lockfile. */
  lockfiles: Array<{ manifest: string; outcome: LockfileOutcome }>;
  /** Updates that could not be applied (file, line, reason). */
  failures: string[];
  marker: PrMarker;
}

const md = (v: unknown): string => escapeMarkdown(v);
/** A code span that no untrusted backtick can close. */
const code = (v: string): string => `\`${v.replace(/[`\r\n]/g, "")}\``;

function link(label: string, url: string | null): string {
  const safe = safeHttpUrl(url);
  return safe ? `[${md(label)}](${safe.replace(/[()\s]/g, encodeURIComponent)})` : md(label);
}

/**
 * A version as the table shows it: `v4.1.6 (d632683)` for a pinned declaration. A version that is
 * itself a SHA / digest (pinned without a version comment) is shown short, alone: no version is invented.
 */
function withPin(version: string, digest: string | null | undefined): string {
  if (isCommitSha(version) || isImageDigest(version)) return shortDigest(version);
  return digest ? `${version} (${shortDigest(digest)})` : version;
}

/** The rollback text stored in records and shown in the PR. */
export function rollbackStrategy(baseSha: string, defaultBranch: string): string {
  return `Revert the merge commit on ${defaultBranch} (git revert -m 1 <merge commit>), or restore the tree of ${baseSha}, the ${defaultBranch} commit this update was based on.`;
}

/** The PR body: what and why, advisories, breaking changes, risk, testing checklist, lockfiles, rollback, marker. */
/** The PR body's rebase checkbox (unticked); ticking it asks for a rebuild (src/app/rebase.ts). */
export const REBASE_CHECKBOX = "- [ ] <!-- cowabunga:rebase -->";
const TICKED_REBASE = /^- \[[xX]\] <!-- cowabunga:rebase -->/m;

/** Has a person ticked the rebase checkbox? */
export function rebaseRequested(body: string | null | undefined): boolean {
  return TICKED_REBASE.test(body ?? "");
}

/** The body with the rebase checkbox unticked again. */
export function untickRebase(body: string): string {
  return body.replace(TICKED_REBASE, REBASE_CHECKBOX);
}

export function renderUpdateBody(input: BodyInput): string {
  const { group, baseSha } = input;
  const out: string[] = [];
  out.push(group.security ? "This PR fixes known vulnerabilities by updating dependencies." : "This PR keeps dependencies up to date.");
  out.push("");
  out.push("| Package | Component | File | From | To | Update |");
  out.push("|---|---|---|---|---|---|");
  const pins = new Map(input.marker.deps.map((m) => [`${m.file}|${m.line}|${m.name}`, m] as const));
  for (const u of group.updates) {
    const d = u.dep;
    const file = d.line != null ? `${d.file}:${d.line}` : d.file;
    const pin = pins.get(`${d.file}|${d.line}|${d.name}`);
    const from = withPin(d.version, pin?.to_digest ? pin.from_digest : null);
    const to = withPin(u.newVersion, pin?.to_digest);
    out.push(`| ${md(d.name)} | ${md(d.component)} | ${md(file)} | ${md(from)} | ${md(to)} | ${u.security ? "security" : md(d.update_type)} |`);
  }

  // Where each transitive package comes from, before and after: the path stays, its end moves.
  const paths = group.updates.filter((u) => u.dep.introduced_through.length > 0 && (u.dep.depth ?? 0) > 1);
  if (paths.length > 0) {
    out.push("", "### Dependency paths", "");
    for (const u of paths) {
      for (const p of u.dep.introduced_through) {
        const before = [u.dep.component, ...p.map((s) => `${s.name} ${s.version}`)].join(" → ");
        const after = [u.dep.component, ...p.slice(0, -1).map((s) => `${s.name} ${s.version}`), `${u.dep.name} ${u.newVersion}`].join(" → ");
        out.push(`- before: ${md(before)}`, `  after: ${md(after)}`);
      }
    }
  }
  // A direct dependency bumped to fix a transitive package: the packages its new version no longer pulls in.
  for (const u of group.updates) {
    const fixes = u.dep.remediation?.kind === "parent_bump" ? u.dep.remediation : null;
    if (fixes) out.push("", `${md(u.dep.name)} ${md(u.newVersion)} is the lowest version whose requirement admits ${md(fixes.target_version ?? "a fixed version")}: ${md(fixes.action)}`);
  }

  const advisories = group.updates.flatMap((u) => u.dep.advisories.filter((a) => (a.kind ?? "vulnerability") === "vulnerability").map((a) => ({ u, a })));
  const bareCves = group.updates.flatMap((u) => (u.dep.advisories.length === 0 ? u.dep.cve_ids.map((c) => ({ u, c })) : []));
  if (advisories.length > 0 || bareCves.length > 0) {
    out.push("", "### Advisories fixed", "");
    for (const { u, a } of advisories) {
      const score = a.score != null ? `CVSS ${a.score.toFixed(1)}${a.score_estimated ? " (estimated from severity)" : ""}` : "CVSS unknown";
      const aliases = a.aliases.length > 0 ? ` (${a.aliases.map(md).join(", ")})` : "";
      const fixed = a.fixed_version ? `, fixed in ${md(a.fixed_version)}` : "";
      out.push(`- ${link(a.id, a.url)}${aliases} in ${md(u.dep.name)}: ${score}${fixed}. ${md(a.summary)}`);
    }
    for (const { u, c } of bareCves) {
      const score = u.dep.vulnerability_score != null ? `CVSS ${u.dep.vulnerability_score.toFixed(1)}` : "CVSS unknown";
      out.push(`- ${link(c, /^CVE-\d{4}-\d+$/.test(c) ? `https://nvd.nist.gov/vuln/detail/${c}` : null)} in ${md(u.dep.name)}: ${score}`);
    }
  }

  const notes = group.updates.filter((u) => safeHttpUrl(u.dep.source_url) != null);
  const breaking = group.updates.filter((u) => u.dep.breaking_changes.length > 0);
  if (notes.length > 0 || breaking.length > 0) {
    out.push("", "### Release notes and breaking changes", "");
    for (const u of notes) out.push(`- ${md(u.dep.name)}: ${link("release notes / source", u.dep.source_url)}`);
    for (const u of breaking) {
      out.push(`- Breaking changes in ${md(u.dep.name)} ${md(u.newVersion)}:`);
      for (const b of u.dep.breaking_changes) out.push(`  - ${md(b)}`);
    }
    if (breaking.length === 0) out.push("- No breaking changes recorded.");
  }

  const risk = input.risk;
  out.push("", `### Risk: ${md(risk.level)} (${risk.score.toFixed(1)}/10)`, "");
  for (const f of risk.factors) out.push(`- ${md(f.name)}: ${md(f.description)}`);
  if (risk.potential_impact) out.push(`- Potential impact: ${md(risk.potential_impact)}`);
  if (risk.mitigation_steps.length > 0) out.push(`- Mitigation: ${risk.mitigation_steps.map(md).join("; ")}`);
  if (risk.contingency_plan) out.push(`- Contingency: ${md(risk.contingency_plan)}`);

  const testing = new Set<string>();
  for (const u of group.updates) for (const i of u.issues) for (const t of i.testing_requirements) testing.add(t);
  for (const c of new Set(group.updates.map((u) => u.dep.component))) testing.add(`Run the ${c} test suite`);
  if (group.updates.some((u) => u.dep.update_type === "major" || u.dep.breaking_changes.length > 0)) testing.add("Check the breaking changes above against our usage");
  out.push("", "### Testing", "");
  for (const t of testing) out.push(`- [ ] ${md(t)}`);

  if (input.lockfiles.length > 0) {
    out.push("", "### Lockfiles", "");
    for (const { manifest, outcome } of input.lockfiles) {
      if (outcome.kind === "regenerated") out.push(`- ${md(outcome.files.map((f) => f.path).join(", "))} regenerated here with ${code(outcome.command)}.`);
      else if (outcome.kind === "edited") {
        out.push(`- ${md(outcome.lockfile)} edited in place (no package manager run): ${md(outcome.entries.join(", "))}, with version, tarball/checksum and integrity from ${md(outcome.source)}.`);
        for (const n of outcome.notes ?? []) out.push(`  - **Note:** ${md(n)}`);
      }
      else if (outcome.kind === "manual")
        out.push(`- **${md(outcome.lockfile)} must be regenerated** for ${md(manifest)} (${md(outcome.reason)}). Run ${code(outcome.instructions)} and push the result to this branch.`);
    }
  }

  if (input.failures.length > 0) {
    out.push("", "### Not updated", "");
    for (const f of input.failures) out.push(`- ${md(f)}`);
  }

  const resolves = group.updates.flatMap((u) => u.issues).filter((i) => i.github_issue_number != null);
  if (resolves.length > 0) {
    out.push("", [...new Set(resolves.map((i) => `Resolves #${i.github_issue_number}`))].join("\n"));
  }

  out.push(
    "",
    "### Rollback",
    "",
    `rollback_before_commit: ${code(baseSha)} (the ${md(input.defaultBranch)} head this branch starts from).`,
    "",
    "After merging, undo with:",
    "",
    "```sh",
    "git revert -m 1 <merge commit>",
    "```",
    "",
    "or start a branch at the state before the update:",
    "",
    "```sh",
    `git checkout -b rollback ${baseSha.replace(/[^0-9a-f]/gi, "")}`,
    "```",
    "",
    "Cowabunga opens a revert PR by itself if the default branch's CI fails on the merge commit.",
    "",
    `${REBASE_CHECKBOX} Tick to rebuild this PR on the current ${md(input.defaultBranch)} head (or comment \`/cowabunga rebase\`). It is rebuilt by itself only when it conflicts.`,
  );
  out.push("", `<!-- cowabunga:pr:${markerJson(input.marker)} -->`);
  return out.join("\n");
}
