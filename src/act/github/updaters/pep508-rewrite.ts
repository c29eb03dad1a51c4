import { satisfies as pepSatisfies, valid as pepValid } from "@renovatebot/pep440";

/** PEP 503 name normalisation. */
export function normalizePyName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

export type SpecRewrite = { ok: true; text: string } | { ok: false; reason: string };

/**
 * Rewrite the version specifier inside one PEP 508 requirement string, keeping the name, extras,
 * marker and spacing: `==x` and `===x` pin the new version, `>=`, `~=` and `>` raise the lower bound,
 * `==1.2.*` keeps its precision, `!=` is kept, `<`/`<=` are kept when the new version satisfies them.
 */
export function rewritePep508(requirement: string, name: string, newVersion: string): SpecRewrite {
  const m = /^(\s*)([A-Za-z0-9][A-Za-z0-9._-]*)(\s*(?:\[[^\]]*\])?\s*)(.*)$/s.exec(requirement);
  if (!m) return { ok: false, reason: "not a PEP 508 requirement" };
  const [, lead, reqName, extras, rest] = m;
  if (normalizePyName(reqName) !== normalizePyName(name)) return { ok: false, reason: `requirement names ${reqName}, not ${name}` };
  // The specifier runs to a marker (`;`), URL (`@`) or the end.
  const cut = rest.search(/[;@]/);
  const specPart = cut < 0 ? rest : rest.slice(0, cut);
  const tail = cut < 0 ? "" : rest.slice(cut);
  if (rest.trimStart().startsWith("@")) return { ok: false, reason: "a direct URL reference has no version to change" };
  const paren = /^(\s*\(?)(.*?)(\)?\s*)$/s.exec(specPart);
  const open = paren?.[1] ?? "";
  const body = paren?.[2] ?? specPart;
  const close = paren?.[3] ?? "";
  if (body.trim() === "") return { ok: false, reason: "no version specifier to change" };
  if (pepValid(newVersion) == null) return { ok: false, reason: `${newVersion} is not a PEP 440 version` };
  let changed = false;
  const clauses = body.split(",").map((clause) => {
    const c = /^(\s*)(===|==|~=|>=|<=|!=|>|<)(\s*)([^\s,]+)(\s*)$/.exec(clause);
    if (!c) return clause;
    const [, a, op, b, ver, z] = c;
    if (op === "==" && ver.endsWith(".*")) {
      const n = ver.split(".").length - 1;
      changed = true;
      return `${a}${op}${b}${newVersion.split(".").slice(0, n).join(".")}.*${z}`;
    }
    if (op === "==" || op === "===" || op === ">=" || op === "~=") {
      changed = true;
      return `${a}${op}${b}${newVersion}${z}`;
    }
    if (op === ">") {
      changed = true;
      return `${a}>=${b}${newVersion}${z}`;
    }
    return clause;
  });
  if (!changed) return { ok: false, reason: `specifier "${body.trim()}" has no lower bound or pin to move` };
  const newBody = clauses.join(",");
  if (!pepSatisfies(newVersion, newBody.replace(/\s+/g, ""))) {
    return { ok: false, reason: `${newVersion} is excluded by "${body.trim()}" (an upper bound or exclusion); widen it by hand` };
  }
  return { ok: true, text: `${lead}${reqName}${extras}${open}${newBody}${close}${tail}` };
}
