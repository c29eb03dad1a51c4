import semver from "semver";

/**
 * Cargo version requirements (https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html):
 * a bare `1.2` means `^1.2`; clauses are comma-separated. Returns the lower bound padded to three
 * parts (`1.2` → 1.2.0) and an npm-style range for matching lockfile entries.
 */
export function parseCargoReq(req: string): { lower: string | null; range: string | null; error: string | null } {
  const clauses = req
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  if (clauses.length === 0) return { lower: null, range: null, error: `empty version requirement` };
  let lower: string | null = null;
  const ranges: string[] = [];
  for (const clause of clauses) {
    const m = /^(=|>=|<=|>|<|~|\^)?\s*(\*|\d+(?:\.(?:\d+|\*))?(?:\.(?:\d+|\*))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/.exec(clause);
    if (!m) return { lower: null, range: null, error: `invalid Cargo version requirement "${req}"` };
    const op = m[1] ?? "^";
    const ver = m[2];
    if (ver === "*") {
      ranges.push("*");
      continue;
    }
    const padded = pad(ver);
    if (op === "^" || op === "~" || op === "=" || op === ">=" || op === ">") {
      if (lower === null || semver.gt(padded, lower)) lower = padded;
    }
    const wild = ver.includes("*");
    ranges.push(wild ? ver.replace(/\.\*/g, ".x") : op === "=" ? padded : `${op}${ver}`);
  }
  const range = ranges.join(" ");
  return { lower, range: semver.validRange(range) ? range : null, error: null };
}

function pad(v: string): string {
  const [core, ...rest] = v.split(/(?=[-+])/);
  const parts = core.split(".").map((p) => (p === "*" ? "0" : p));
  while (parts.length < 3) parts.push("0");
  return parts.join(".") + rest.join("");
}
