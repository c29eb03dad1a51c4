import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lockEditorFor, updateCargoLockEntry, updateNpmLockEntry } from "../../../../src/act/github/updaters/lock-inplace.js";
import { buildLockGraph } from "../../../../src/scan/graph/index.js";

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../fixtures/graph");
const read = (p: string): string => readFileSync(path.join(FIX, p), "utf8");
const CKSUM = "9f".repeat(32);

describe("lockfile-only updates from registry metadata", () => {
  it("package-lock v3: every copy of name@from gets the packument's version, tarball and integrity; nothing else changes", () => {
    const before = read("npm-v3/package-lock.json");
    const r = updateNpmLockEntry("package-lock.json", before, "qs", "6.7.0", { version: "6.7.3", resolved: "https://mirror.example/qs/-/qs-6.7.3.tgz", integrity: "sha512-NEW" });
    if ("error" in r) throw new Error(r.error);
    const doc = JSON.parse(r.content) as { packages: Record<string, { version?: string; resolved?: string; integrity?: string }> };
    for (const k of ["node_modules/express/node_modules/qs", "node_modules/body-parser/node_modules/qs"]) {
      expect(doc.packages[k]).toEqual({ version: "6.7.3", resolved: "https://mirror.example/qs/-/qs-6.7.3.tgz", integrity: "sha512-NEW" });
    }
    expect(doc.packages["node_modules/qs"].version).toBe("6.11.0");
    // Same formatting: only the three lines of each copy differ.
    const diff = before.split("\n").filter((l, i) => l !== r.content.split("\n")[i]);
    expect(diff).toHaveLength(6);
    expect(r.content.endsWith("}\n")).toBe(true);
    // The graph now has the fixed version on both paths.
    const g = buildLockGraph("package-lock.json", r.content);
    expect(g?.ok && g.graph.nodes.some((n) => n.name === "qs" && n.version === "6.7.3")).toBe(true);
    expect(g?.ok && g.graph.nodes.some((n) => n.name === "qs" && n.version === "6.7.0")).toBe(false);
  });

  it("package-lock v1: nested tree entries too", () => {
    const r = updateNpmLockEntry("package-lock.json", read("npm-v1/package-lock.json"), "qs", "6.5.2", { version: "6.5.3", resolved: "https://registry.npmjs.org/qs/-/qs-6.5.3.tgz", integrity: "sha512-Q3" });
    if ("error" in r) throw new Error(r.error);
    expect(JSON.parse(r.content).dependencies.qs).toEqual({ version: "6.5.3", resolved: "https://registry.npmjs.org/qs/-/qs-6.5.3.tgz", integrity: "sha512-Q3" });
  });

  it("refuses without registry facts, or when the entry is not there, naming the file", () => {
    expect(updateNpmLockEntry("a/package-lock.json", read("npm-v1/package-lock.json"), "qs", "6.5.2", { version: "6.5.3", resolved: null, integrity: null })).toEqual({
      error: 'a/package-lock.json: the registry gave no tarball and integrity for "qs" 6.5.3; lockfile not edited',
    });
    expect(updateNpmLockEntry("a/package-lock.json", read("npm-v1/package-lock.json"), "qs", "9.9.9", { version: "9.9.10", resolved: "x", integrity: "y" })).toEqual({
      error: 'a/package-lock.json: no entry for "qs" "9.9.9"; lockfile not edited',
    });
    expect("error" in updateNpmLockEntry("p.json", "{", "qs", "1", { version: "2", resolved: "x", integrity: "y" })).toBe(true);
  });

  it("Cargo.lock: the package block's version and checksum from the sparse index; other text untouched", () => {
    const before = read("cargo/Cargo.lock");
    const r = updateCargoLockEntry("Cargo.lock", before, "h2", "0.3.20", { version: "0.3.26", resolved: null, integrity: CKSUM });
    if ("error" in r) throw new Error(r.error);
    expect(r.content).toContain(`name = "h2"\nversion = "0.3.26"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "${CKSUM}"`);
    expect(r.content.split("\n").filter((l, i) => l !== before.split("\n")[i])).toHaveLength(2);
    expect(updateCargoLockEntry("Cargo.lock", before, "h2", "0.3.20", { version: "0.3.26", resolved: null, integrity: "not-a-sha" })).toEqual({
      error: 'Cargo.lock: the registry index gave no sha256 checksum for "h2" 0.3.26; lockfile not edited',
    });
  });

  it("Cargo.lock: versioned references in dependency lists follow the move", () => {
    const lock = [
      "version = 3",
      "",
      "[[package]]",
      'name = "app"',
      'version = "0.1.0"',
      "dependencies = [",
      ' "h2 0.3.20",',
      ' "h2 0.4.4",',
      "]",
      "",
      "[[package]]",
      'name = "h2"',
      'version = "0.3.20"',
      'source = "registry+https://github.com/rust-lang/crates.io-index"',
      'checksum = "aaaa"',
      "",
      "[[package]]",
      'name = "h2"',
      'version = "0.4.4"',
      'source = "registry+https://github.com/rust-lang/crates.io-index"',
      'checksum = "bbbb"',
      "",
    ].join("\n");
    const r = updateCargoLockEntry("Cargo.lock", lock, "h2", "0.3.20", { version: "0.3.26", resolved: null, integrity: CKSUM });
    if ("error" in r) throw new Error(r.error);
    expect(r.content).toContain(' "h2 0.3.26",\n "h2 0.4.4",');
    expect(r.content).toContain('version = "0.4.4"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "bbbb"');
  });

  it("knows which lockfiles it can edit", () => {
    expect(lockEditorFor("a/package-lock.json")).toBe(updateNpmLockEntry);
    expect(lockEditorFor("npm-shrinkwrap.json")).toBe(updateNpmLockEntry);
    expect(lockEditorFor("rust/Cargo.lock")).toBe(updateCargoLockEntry);
    expect(lockEditorFor("yarn.lock")).not.toBeNull(); // lock-formats.test.ts
    expect(lockEditorFor("Pipfile.lock")).toBeNull();
    expect(lockEditorFor("package.json")).toBeNull();
  });
});
