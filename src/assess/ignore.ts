import picomatch from "picomatch";
import type { IgnoreRule } from "../config/schema.js";
import { versioningFor } from "../enrich/versioning/index.js";
import { datasourceOf, type IssueDraft } from "./draft.js";

/** Prefix of defer reasons set by ignore rules; a deferral with it is lifted when the rule lapses. */
export const IGNORE_REASON_PREFIX = "ignored by config: ";

/** Is the rule in force at `now`? `until` is inclusive: the rule holds through that whole UTC day. */
export function ruleActive(rule: IgnoreRule, now: Date): boolean {
  if (!rule.until) return true;
  const end = Date.parse(`${rule.until}T23:59:59.999Z`);
  return Number.isNaN(end) ? true : now.getTime() <= end;
}

/** Does the rule cover this package version? */
export function ruleMatches(rule: IgnoreRule, pkg: { package_manager: string; name: string; version: string; datasource?: string }): boolean {
  if (rule.package_manager && rule.package_manager !== pkg.package_manager) return false;
  const isGlob = picomatch.scan(rule.package).isGlob;
  if (isGlob ? !picomatch(rule.package, { dot: true })(pkg.name) : rule.package !== pkg.name) return false;
  if (rule.versions) {
    try {
      return versioningFor(datasourceOf(pkg)).matches(pkg.version, rule.versions);
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * The active rule that covers a draft: every package behind it must be covered (an advisory that
 * also hits an unignored version stays open). Null when none; drafts without packages never match.
 */
export function ignoreRuleFor(draft: IssueDraft, rules: readonly IgnoreRule[], now: Date): IgnoreRule | null {
  if (draft.packages.length === 0) return null;
  for (const rule of rules) {
    if (!ruleActive(rule, now)) continue;
    if (draft.packages.every((p) => ruleMatches(rule, p))) return rule;
  }
  return null;
}

export function ignoreReason(rule: IgnoreRule): string {
  const scope = `${rule.package}${rule.versions ? ` ${rule.versions}` : ""}${rule.until ? ` until ${rule.until}` : ""}`;
  return `${IGNORE_REASON_PREFIX}${rule.reason} (${scope})`;
}
