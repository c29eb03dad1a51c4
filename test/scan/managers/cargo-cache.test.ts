import { describe, expect, it } from "vitest";
import { cargoManager } from "../../../src/scan/managers/cargo.js";
import type { ExtractContext } from "../../../src/scan/types.js";

const member = (name: string) => `[package]\nname = "${name}"\nversion = "0.1.0"\n\n[dependencies]\nserde = "1"\n`;
const lock = (v: string) => `version = 3\n\n[[package]]\nname = "serde"\nversion = "${v}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n`;

function ctxWith(files: Record<string, string>): ExtractContext {
  return { allFiles: Object.keys(files), readFile: (p) => files[p] };
}

describe("cargo: one Cargo.lock shared by workspace members", () => {
  it("gives every member the locked version, and re-reads a lockfile whose content changed", () => {
    const files = {
      "Cargo.toml": '[workspace]\nmembers = ["a", "b"]\n',
      "Cargo.lock": lock("1.0.200"),
      "a/Cargo.toml": member("a"),
      "b/Cargo.toml": member("b"),
    };
    for (const m of ["a/Cargo.toml", "b/Cargo.toml"]) {
      const r = cargoManager.extract(m, files[m as keyof typeof files], ctxWith(files));
      expect(r.deps.find((d) => d.name === "serde")?.locked_version, m).toBe("1.0.200");
      expect(r.locked).toEqual([{ name: "serde", version: "1.0.200", datasource: "crates" }]);
    }
    const changed = { ...files, "Cargo.lock": lock("1.0.210") };
    const r = cargoManager.extract("a/Cargo.toml", changed["a/Cargo.toml"], ctxWith(changed));
    expect(r.deps.find((d) => d.name === "serde")?.locked_version).toBe("1.0.210");
  });

  it("reports a broken shared lockfile for each member that reads it", () => {
    const files = { "Cargo.lock": "[[package]\nname =", "a/Cargo.toml": member("a"), "b/Cargo.toml": member("b") };
    for (const m of ["a/Cargo.toml", "b/Cargo.toml"]) {
      const r = cargoManager.extract(m, files[m as keyof typeof files], ctxWith(files));
      expect(r.warnings.some((w) => w.file === "Cargo.lock"), m).toBe(true);
      expect(r.deps.find((d) => d.name === "serde")?.locked_version).toBeNull();
    }
  });
});
