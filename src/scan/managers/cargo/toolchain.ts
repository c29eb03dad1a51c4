/**
 * rust-toolchain.toml (`[toolchain] channel = "1.80.0"`) and the legacy plain `rust-toolchain` file:
 * the Rust version a project builds with, as a runtime dependency (datasource rust-version).
 * Channels that are not a version (stable, beta, nightly, nightly-2024-01-01) are listed, skipped.
 */
import type { ExtractedDependency, ManagerResult, ScanWarning } from "../../types.js";
import { baseDependency } from "../dependency.js";
import { asString, asTable, parseTomlFile } from "../pip/toml.js";
import { locateToml } from "../pip/toml-lines.js";
import { LineIndex, locateValue } from "../span.js";

const VERSION = /^\d+\.\d+(\.\d+)?$/;

function rustDep(file: string, lines: LineIndex, line: number | null, channel: string, key?: string): ExtractedDependency {
  const isVersion = VERSION.test(channel);
  return baseDependency(
    { file, line, package_manager: "cargo", dependency_type: "runtime" },
    {
      name: "rust",
      datasource: "rust-version",
      current_value: channel,
      version: channel,
      group: "rust-toolchain",
      skip_reason: isVersion ? null : "release channel, not a version",
      value_span: isVersion ? locateValue(lines, line, channel, key) : null,
    },
  );
}

export function extractRustToolchain(file: string, content: string): ManagerResult {
  const warnings: ScanWarning[] = [];
  const lines = new LineIndex(content);
  if (!file.endsWith(".toml") && !/^\s*\[/m.test(content)) {
    // Legacy file: the channel alone on the first line.
    const all = content.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
    const i = all.findIndex((l) => l.trim() !== "");
    if (i < 0) return { deps: [], warnings: [{ file, line: 1, manager: "cargo", message: `${file}: no toolchain channel in the file` }], meta: { primary: false } };
    return { deps: [rustDep(file, lines, i + 1, all[i].trim())], warnings, meta: { primary: false } };
  }
  const parsed = parseTomlFile(file, content, "cargo");
  if (!parsed.ok) return { deps: [], warnings: [parsed.warning], meta: { primary: false } };
  const toolchain = asTable(parsed.value.toolchain);
  const channel = asString(toolchain?.channel);
  if (channel === undefined) {
    // A toolchain file may name only components or a path; nothing to track then.
    return { deps: [], warnings, meta: { primary: false } };
  }
  const line = locateToml(content).keyLine(["toolchain"], ["channel"]);
  return { deps: [rustDep(file, lines, line, channel, "channel")], warnings, meta: { primary: false } };
}
