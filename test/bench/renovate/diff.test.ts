import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  compareExtractions,
  explainExtra,
  explainMissed,
  explainValueDifference,
  extraContext,
  imageFromReplaceString,
  normalizeName,
  normalizeValue,
  parseRenovateReport,
  type OurDependency,
  type PeerDependency,
} from "../../../bench/renovate/diff.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const report = JSON.parse(readFileSync(path.join(here, "../../fixtures/peer/renovate-report.json"), "utf8")) as unknown;

function ours(partial: Partial<OurDependency> & Pick<OurDependency, "name" | "package_manager" | "file">): OurDependency {
  return {
    line: 1,
    dependency_type: "prod",
    current_value: "",
    skip_reason: null,
    digest: null,
    ...partial,
  };
}

describe("parseRenovateReport", () => {
  it("maps Renovate managers to ours and names unnamed deps from replaceString", () => {
    const r = parseRenovateReport(report);
    expect(r.unmapped_managers).toEqual(["some-future-manager"]);
    const byMgr = (m: string) => r.deps.filter((d) => d.manager === m).map((d) => d.name);
    expect(byMgr("npm")).toEqual(["left-pad", "vitest", "node"]);
    expect(byMgr("pip")).toEqual(["python-multipart", "unstructured"]);
    expect(byMgr("docker")).toEqual(["ghcr.io/acme/sdk", "python", "python"]);
    expect(r.deps.find((d) => d.name === "ghcr.io/acme/sdk")?.skip_reason).toBe("contains-variable");
    expect(r.deps.find((d) => d.name === "left-pad")?.locked_version).toBe("1.3.0");
  });

  it("rejects something that is not a report, saying where", () => {
    expect(() => parseRenovateReport({ repositories: [1] }, "bad.json")).toThrow(/bad\.json: not a Renovate report/);
    expect(() => parseRenovateReport("nope", "x.json")).toThrow(/x\.json/);
  });
});

describe("normalization", () => {
  it("normalizes names per manager", () => {
    expect(normalizeName("pip", "Python_Multipart")).toBe("python-multipart");
    expect(normalizeName("pip", "unstructured[md,xlsx]")).toBe("unstructured");
    expect(normalizeName("docker", "docker.io/library/Python:3.11@sha256:abc")).toBe("python");
    expect(normalizeName("docker", "ghcr.io/acme/img:1.0")).toBe("ghcr.io/acme/img");
    expect(normalizeName("docker", "localhost:5000/img")).toBe("localhost:5000/img");
    expect(normalizeName("github-actions", "github/codeql-action/upload-sarif")).toBe("github/codeql-action");
    expect(normalizeName("github-actions", "./.github/actions/python")).toBe("./.github/actions/python");
    expect(normalizeName("npm", "@Scope/Pkg")).toBe("@Scope/Pkg");
  });

  it("ignores whitespace in values", () => {
    expect(normalizeValue("== 0.109.1")).toBe(normalizeValue("==0.109.1"));
    expect(normalizeValue(null)).toBe("");
  });

  it("takes the image part of a replaceString", () => {
    expect(imageFromReplaceString("ghcr.io/a/b:${TAG}")).toBe("ghcr.io/a/b");
    expect(imageFromReplaceString("ARG K3S_TAG=v1\n")).toBeUndefined();
    expect(imageFromReplaceString(undefined)).toBeUndefined();
  });
});

describe("compareExtractions", () => {
  const peer = parseRenovateReport(report).deps;
  const mine: OurDependency[] = [
    ours({ name: "left-pad", package_manager: "npm", file: "web/package.json", current_value: "^1.3.0" }),
    ours({ name: "vitest", package_manager: "npm", file: "web/package.json", current_value: "^3.0.0", dependency_type: "dev" }),
    ours({ name: "python_multipart", package_manager: "pip", file: "svc/pyproject.toml", current_value: "== 0.0.10" }),
    ours({ name: "unstructured[md]", package_manager: "pip", file: "svc/pyproject.toml", current_value: "==0.15.13" }),
    // Our order differs from Renovate's: values must pair 3.11 with 3.11.
    ours({ name: "python", package_manager: "docker", file: "svc/Dockerfile", current_value: "3.11" }),
    ours({ name: "docker.io/library/python", package_manager: "docker", file: "svc/Dockerfile", current_value: "3.11-dev" }),
    ours({ name: "github/codeql-action/upload-sarif", package_manager: "github-actions", file: ".github/workflows/ci.yaml", current_value: "012739e5082ff0c22ca6d6ab32e07c36df03c4a4" }),
    // A workflow container image we file under docker: paired across managers.
    ours({ name: "node", package_manager: "docker", file: ".github/workflows/ci.yaml", current_value: "20-alpine" }),
    ours({ name: "./.github/actions/setup", package_manager: "github-actions", file: ".github/workflows/ci.yaml", skip_reason: "local-action" }),
    ours({ name: "real-crate", package_manager: "cargo", file: "rust/Cargo.toml", current_value: "1.0" }),
    ours({ name: "ghcr.io/acme/chart", package_manager: "zarf", file: "zarf.yaml", current_value: "1.0.0" }),
    ours({ name: "requests", package_manager: "pip", file: "svc/requirements.txt", current_value: "==2.0" }),
  ];
  const result = compareExtractions(peer, mine);

  it("pairs by normalized key, values first, across managers and by packageName", () => {
    const pairOf = (name: string) => result.pairs.filter((p) => p.peer.name === name);
    expect(pairOf("python").map((p) => [p.peer.current_value, p.ours.current_value, p.value_agrees])).toEqual([
      ["3.11-dev", "3.11-dev", true],
      ["3.11", "3.11", true],
    ]);
    expect(pairOf("vitest")[0].value_agrees).toBe(false);
    expect(pairOf("python-multipart")[0].value_agrees).toBe(true);
    expect(pairOf("node").find((p) => p.peer.manager === "github-actions")?.via).toBe("key-other-manager");
    expect(pairOf("renamed")[0].via).toBe("package-name");
    // codeql: Renovate has a digest and no currentValue; ours records the sha as the value.
    expect(pairOf("github/codeql-action")[0]).toMatchObject({ via: "key", value_agrees: true });
  });

  it("lists what each side alone found", () => {
    expect(result.missed.map((p) => `${p.renovate_manager}:${p.name}`).sort()).toEqual([
      "dockerfile:ghcr.io/acme/sdk",
      "github-actions:ubuntu",
      "npm:node",
    ]);
    expect(result.extra.map((o) => o.name).sort()).toEqual(["./.github/actions/setup", "requests"]);
    expect(result.ours_only_managers.map((o) => o.package_manager)).toEqual(["zarf"]);
  });

  it("tallies per manager consistently", () => {
    for (const t of result.tallies) {
      expect(t.found + t.missed).toBe(t.renovate);
      expect(t.found + t.extra).toBeLessThanOrEqual(t.ours + result.pairs.filter((p) => p.via === "key-other-manager" && p.peer.manager === t.manager && p.ours.package_manager !== t.manager).length);
    }
    const npm = result.tallies.find((t) => t.manager === "npm");
    expect(npm).toMatchObject({ renovate: 3, ours: 2, found: 2, missed: 1, extra: 0, value_differs: 1 });
  });

  it("explains every difference", () => {
    const kinds = Object.fromEntries(result.missed.map((p) => [p.name, explainMissed(p).kind]));
    expect(kinds).toEqual({ "ghcr.io/acme/sdk": "gap", ubuntu: "by-design", node: "gap" });
    const ctx = extraContext(result, peer);
    const extra = Object.fromEntries(result.extra.map((o) => [o.name, explainExtra(o, ctx)]));
    expect(extra["./.github/actions/setup"].kind).toBe("peer");
    expect(extra["requests"].reason).toMatch(/svc\/requirements\.txt/);
    const vitest = result.pairs.find((x) => x.peer.name === "vitest");
    expect(vitest && explainValueDifference(vitest).kind).toBe("gap");
  });

  it("recognizes a package declared twice in one file and build-system requirements", () => {
    const dup = [
      ...mine,
      ours({ name: "left-pad", package_manager: "npm", file: "web/package.json", current_value: "^1.3.0", dependency_type: "optional" }),
      ours({ name: "setuptools", package_manager: "pip", file: "svc/pyproject.toml", dependency_type: "build" }),
    ];
    const r = compareExtractions(peer, dup);
    const ctx = extraContext(r, peer);
    const why = Object.fromEntries(r.extra.map((o) => [o.name, explainExtra(o, ctx).reason]));
    expect(why["left-pad"]).toMatch(/second time in the same file/);
    expect(why["setuptools"]).toMatch(/build-system/);
  });

  it("explains value differences on skipped and inherited dependencies", () => {
    const sdk = parseRenovateReport(report).deps.find((p) => p.skip_reason === "contains-variable");
    expect(sdk).toBeDefined();
    if (!sdk) return;
    const pair = {
      peer: sdk,
      ours: ours({ name: "ghcr.io/acme/sdk", package_manager: "docker", file: "svc/Dockerfile", current_value: "${VERSION}", skip_reason: "unresolved variable" }),
      via: "key" as const,
      value_agrees: false,
    };
    expect(explainValueDifference(pair).kind).toBe("by-design");
    expect(explainValueDifference({ ...pair, peer: { ...sdk, skip_reason: "inherited-dependency" } }).reason).toMatch(/workspace/);
  });
});

describe("pnpm catalogs", () => {
  const peerDep = (p: Partial<PeerDependency> & Pick<PeerDependency, "name" | "file">): PeerDependency => ({
    manager: "npm",
    renovate_manager: "npm",
    package_name: p.name,
    dep_type: null,
    current_value: null,
    current_digest: null,
    locked_version: null,
    skip_reason: null,
    datasource: "npm",
    ...p,
  });
  it("pairs Renovate's catalog: references with the dependency that records them, and the entry by key", () => {
    const peer = [
      peerDep({ name: "react", file: "pnpm-workspace.yaml", dep_type: "pnpm.catalog.default", current_value: "19.2.1" }),
      peerDep({ name: "react", file: "packages/a/package.json", current_value: "catalog:", skip_reason: "unspecified-version" }),
      peerDep({ name: "react", file: "packages/b/package.json", current_value: "catalog:", skip_reason: "unspecified-version" }),
      peerDep({ name: "protobufjs@8", package_name: "protobufjs", file: "pnpm-workspace.yaml", dep_type: "pnpm-workspace.overrides", current_value: "8.6.6" }),
    ];
    const mine = [
      ours({ name: "react", package_manager: "npm", file: "pnpm-workspace.yaml", line: 15, current_value: "19.2.1", declared_by: { file: "packages/a/package.json", line: 5, value: "catalog:" } }),
      ours({ name: "react", package_manager: "npm", file: "pnpm-workspace.yaml", line: 15, current_value: "19.2.1", declared_by: { file: "packages/b/package.json", line: 6, value: "catalog:" } }),
      ours({ name: "protobufjs", package_manager: "npm", file: "pnpm-workspace.yaml", line: 9, current_value: "8.6.6", dependency_type: "override" }),
    ];
    const r = compareExtractions(peer, mine);
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
    expect(r.pairs.map((x) => x.via).sort()).toEqual(["catalog-reference", "catalog-reference", "key", "package-name"]);
    expect(r.tallies.find((t) => t.manager === "npm")).toMatchObject({ renovate: 4, ours: 3, found: 4, missed: 0, extra: 0 });
  });
});
