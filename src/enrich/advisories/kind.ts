import type { AdvisoryKind } from "../../model/dependency.js";
import type { OsvVulnerability } from "./types.js";

const INFORMATIONAL: Readonly<Record<string, AdvisoryKind>> = {
  unmaintained: "unmaintained",
  unsound: "unsound",
  notice: "notice",
};

function flagOf(db: Record<string, unknown> | null | undefined): AdvisoryKind | null {
  if (!db) return null;
  const info = db.informational;
  if (typeof info === "string" && info.trim() !== "") return INFORMATIONAL[info.trim().toLowerCase()] ?? "notice";
  // Other databases set boolean flags instead of RustSec's word.
  for (const k of ["unmaintained", "unsound"] as const) if (db[k] === true) return k;
  return null;
}

/**
 * What an OSV record is: RustSec's informational advisories ("bincode is unmaintained") carry
 * `database_specific.informational` on the record or on an affected entry. They describe the health
 * of a package, not a vulnerability, and are filed as dependency-health issues.
 */
export function advisoryKind(rec: OsvVulnerability): AdvisoryKind {
  const top = flagOf(rec.database_specific ?? null);
  if (top) return top;
  for (const a of rec.affected) {
    const k = flagOf(a.database_specific ?? null);
    if (k) return k;
  }
  return "vulnerability";
}
