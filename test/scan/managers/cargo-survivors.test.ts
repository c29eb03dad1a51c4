/**
 * Cargo manifests and rust-toolchain files: corners left by the mutation run of cargo.ts and
 * cargo/toolchain.ts (issue 18). Oracles: the Cargo book ("Workspaces": `[workspace.package]`
 * fields are only what a workspace declares), rustup's "Overrides" page (rust-toolchain.toml has a
 * `[toolchain]` table; the legacy rust-toolchain file holds the channel alone), TOML 1.0 (inline
 * tables), the byte order mark being a file-start marker only. Manifests written here.
 */
import { describe, expect, it } from "vitest";
import { cargoManager } from "../../../src/scan/managers/cargo.js";
import type { ManagerResult } from "../../../src/scan/types.js";

const alone = (content: string, file: string): ManagerResult => cargoManager.extract(file, content, { allFiles: [file], readFile: (p) => (p === file ? content : undefined) });

describe("Cargo.toml workspace meta", () => {
  it("a workspace root without a rust-version has no rust_version field at all", () => {
    const r = alone('[workspace]\nmembers = ["a", "b"]\n', "Cargo.toml");
    expect(r.meta).toStrictEqual({ primary: true, workspaces: ["a", "b"] });
    expect(Object.keys(r.meta)).not.toContain("rust_version");
  });
});

describe("rust-toolchain files", () => {
  it("legacy rust-toolchain: a [ inside the line is no TOML table header, the line is the channel", () => {
    const r = alone("nightly [see README]\n", "rust-toolchain");
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.current_value, d.skip_reason])).toEqual([["nightly [see README]", "release channel, not a version"]]);
  });

  it("legacy rust-toolchain: only a byte order mark at the start is dropped", () => {
    expect(alone("\uFEFF1.80.0\n", "rust-toolchain").deps[0]).toMatchObject({ current_value: "1.80.0", skip_reason: null });
    expect(alone("1.80\uFEFF.0\n", "rust-toolchain").deps[0]).toMatchObject({ current_value: "1.80\uFEFF.0", skip_reason: "release channel, not a version" });
  });

  it("rust-toolchain.toml inline table: the span is the channel's value, not an equal string before the key", () => {
    const text = 'toolchain = { targets = ["1.80.0"], channel = "1.80.0" }\n';
    const d = alone(text, "rust-toolchain.toml").deps[0];
    expect(d).toMatchObject({ current_value: "1.80.0", line: 1 });
    expect(d.value_span).toEqual({ line: 1, start_column: text.lastIndexOf("1.80.0"), end_column: text.lastIndexOf("1.80.0") + 6, text: "1.80.0" });
  });
});
