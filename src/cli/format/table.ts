import type { ScanResult } from "../../scan/types.js";

/** Control characters (ANSI escapes included) from hostile manifests must not reach the terminal. */
export function printable(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? "" : String(value);
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

/** `file:line`, or just the file when the line is unknown. */
export function fileLocation(file: string, line: number | null): string {
  return line ? `${file}:${line}` : file;
}

/** A constraint that admits more than one version (npm, PEP 440, Cargo and Go range syntax). */
const RANGE = /[\^~<>*|]|\s-\s|(^|\.)[xX](\.|$)|,/;

/**
 * The VERSION column: the locked version, else the pinned one. A range that no lockfile resolved
 * shows "-" (its CONSTRAINT column says the range): its lowest bound, which `version` holds for
 * update and advisory checks, is not necessarily the version installed.
 */
export function shownVersion(d: { version: string; locked_version: string | null; current_value: string }): string {
  if (d.locked_version) return d.locked_version;
  return RANGE.test(d.current_value) ? "-" : d.version;
}

/** Left-aligned columns separated by two spaces, a dashed rule under the header. */
export function renderTable(header: string[], rows: string[][], maxWidth = 60): string {
  const cells = [header, ...rows].map((r) => r.map((c) => clip(printable(c), maxWidth)));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n") + "\n";
}

export function formatScanTable(result: ScanResult): string {
  const parts: string[] = [];
  parts.push(`Source: ${printable(result.source)}${result.commit_sha ? ` @ ${result.commit_sha}` : ""}`);
  parts.push(
    `${result.files_scanned} files, ${result.manifests.length} manifests, ${result.components.length} components, ` +
      `${result.dependencies.length} dependencies, ${result.warnings.length} warnings\n`,
  );
  parts.push("Components");
  parts.push(
    renderTable(
      ["NAME", "TYPE", "PATH", "VERSION", "DEPS", "DEPENDS ON", "USED BY"],
      result.components.map((c) => [
        c.name,
        c.type,
        c.path,
        c.version,
        String(result.dependencies.filter((d) => d.component === c.name).length),
        c.dependencies.join(", ") || "-",
        c.dependent_components.join(", ") || "-",
      ]),
    ),
  );
  parts.push("Dependencies");
  parts.push(
    renderTable(
      ["COMPONENT", "PACKAGE", "VERSION", "CONSTRAINT", "MANAGER", "TYPE", "FILE"],
      result.dependencies.map((d) => [
        d.component,
        d.name,
        shownVersion(d),
        d.current_value,
        d.package_manager,
        d.dependency_type,
        fileLocation(d.file, d.line),
      ]),
    ),
  );
  if (result.warnings.length) {
    parts.push("Warnings");
    for (const w of result.warnings) {
      const where = w.file ? `${w.file}${w.line ? `:${w.line}` : ""}: ` : "";
      parts.push(`  [${printable(w.manager)}] ${printable(where)}${printable(w.message)}`);
    }
    parts.push("");
  }
  return parts.join("\n");
}
