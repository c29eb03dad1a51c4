/**
 * Compatibility of a target release with the component that uses it: does the release's declared
 * runtime requirement (npm engines.node, PyPI requires_python, crates rust_version) cover every
 * runtime the component declares it supports?
 */
import * as pep440 from "@renovatebot/pep440";
import semver from "semver";
import type { CompatibilityStatus } from "../model/index.js";
import type { ManifestMeta, DatasourceName } from "../scan/types.js";
import type { Release } from "./types.js";

export type RuntimeMeta = Pick<ManifestMeta, "node_engines" | "requires_python" | "rust_version">;

/**
 * Python versions probed for the PEP 440 subset check (the library has no range intersection):
 * 2.7 and 3.0–3.30, each with patch levels 0, 1, 5, 10, 20 and 99.
 */
export const PYTHON_PROBES: readonly string[] = (() => {
  const out: string[] = [];
  const patches = [0, 1, 5, 10, 20, 99];
  for (const p of patches) out.push(`2.7.${p}`);
  for (let minor = 0; minor <= 30; minor++) for (const p of patches) out.push(`3.${minor}.${p}`);
  return out;
})();

function pyValid(spec: string): boolean {
  try {
    return pep440.validRange(spec);
  } catch {
    return false;
  }
}

function pySatisfies(v: string, spec: string): boolean {
  try {
    return pep440.satisfies(v, spec);
  } catch {
    return false;
  }
}

/**
 * Node: `semver.subset(component, target)` — every Node version the component allows is allowed by
 * the target. When not a subset, `intersects` tells "excludes part" from "excludes all"; both are
 * incompatible. Python: the same over PYTHON_PROBES. Rust: the target's minimum Rust version must not
 * exceed the component's rust-version (both are minimums).
 */
export function checkNodeEngines(component: string, target: string): { ok: boolean | null; reason: string } {
  const c = semver.validRange(component, { loose: true });
  const t = semver.validRange(target, { loose: true });
  if (!c || !t) return { ok: null, reason: `engines.node "${!c ? component : target}" is not a valid range; not checked` };
  if (semver.subset(c, t, { loose: true })) return { ok: true, reason: `engines.node ${target} covers the component's ${component}` };
  const overlap = semver.intersects(c, t, { loose: true });
  return {
    ok: false,
    reason: overlap
      ? `engines.node ${target} excludes part of the component's ${component}`
      : `engines.node ${target} excludes every Node version of the component's ${component}`,
  };
}

export function checkRequiresPython(component: string, target: string): { ok: boolean | null; reason: string } {
  if (!pyValid(component) || !pyValid(target)) {
    return { ok: null, reason: `requires-python "${!pyValid(component) ? component : target}" is not a valid specifier; not checked` };
  }
  const supported = PYTHON_PROBES.filter((v) => pySatisfies(v, component));
  if (supported.length === 0) return { ok: null, reason: `the component's requires-python ${component} admits no known Python; not checked` };
  const excluded = supported.filter((v) => !pySatisfies(v, target));
  if (excluded.length === 0) return { ok: true, reason: `requires-python ${target} covers the component's ${component}` };
  const all = excluded.length === supported.length;
  return {
    ok: false,
    reason: `requires-python ${target} excludes ${all ? "every Python of" : `${excluded[0]}, allowed by`} the component's ${component}`,
  };
}

export function checkRustVersion(component: string, target: string): { ok: boolean | null; reason: string } {
  const c = semver.coerce(component);
  const t = semver.coerce(target);
  if (!c || !t) return { ok: null, reason: `rust-version "${!c ? component : target}" is not a version; not checked` };
  if (semver.lte(t, c)) return { ok: true, reason: `rust-version ${target} is within the component's rust-version ${component}` };
  return { ok: false, reason: `rust-version ${target} is newer than the component's rust-version ${component}` };
}

/**
 * The CompatibilityStatus of `target` for a component: incompatible when any declared requirement
 * excludes a runtime the component supports; compatible when at least one was checked and all pass;
 * unknown when there was nothing to check (no target, no requirement on either side, unparsable).
 */
export function checkCompatibility(
  datasource: DatasourceName,
  target: Release | null,
  component: RuntimeMeta | null,
): CompatibilityStatus {
  if (!target) return { status: "unknown", reasons: ["no target release to check"], target_version: null };
  const reasons: string[] = [];
  const results: Array<boolean | null> = [];
  const check = (r: { ok: boolean | null; reason: string }): void => {
    results.push(r.ok);
    reasons.push(r.reason);
  };
  if (datasource === "npm" && target.node_engines) {
    if (component?.node_engines) check(checkNodeEngines(component.node_engines, target.node_engines));
    else reasons.push(`requires engines.node ${target.node_engines}; the component declares none`);
  }
  if (datasource === "pypi" && target.requires_python) {
    if (component?.requires_python) check(checkRequiresPython(component.requires_python, target.requires_python));
    else reasons.push(`requires-python ${target.requires_python}; the component declares none`);
  }
  if (datasource === "crates" && target.rust_version) {
    if (component?.rust_version) check(checkRustVersion(component.rust_version, target.rust_version));
    else reasons.push(`rust-version ${target.rust_version}; the component declares none`);
  }
  let status: CompatibilityStatus["status"] = "unknown";
  if (results.includes(false)) status = "incompatible";
  else if (results.length > 0 && results.every((r) => r === true)) status = "compatible";
  if (reasons.length === 0) reasons.push("the target release declares no runtime requirement");
  return { status, reasons, target_version: target.version };
}
