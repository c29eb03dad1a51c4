import { describe, expect, it } from "vitest";
import { helmLockPathOf, helmManager, parseHelmLock } from "../../../src/scan/managers/helm.js";
import type { ExtractedDependency, ScanWarning } from "../../../src/scan/types.js";
import { fixtureCtx } from "./fixture-ctx.js";

const ROOT = new URL("../../fixtures/fidelity/helm-lock", import.meta.url).pathname;
const ctx = fixtureCtx(ROOT);

function extract(file: string) {
  return helmManager.extract(file, ctx.readFile(file)!, ctx);
}
function byName(deps: ExtractedDependency[], name: string): ExtractedDependency {
  const d = deps.find((x) => x.name === name);
  if (!d) throw new Error(`no dependency ${name} in ${deps.map((x) => x.name).join(", ")}`);
  return d;
}

describe("Helm lock files", () => {
  it("names the lock file next to a chart file as a companion", () => {
    expect(helmLockPathOf("charts/app/Chart.yaml")).toBe("charts/app/Chart.lock");
    expect(helmLockPathOf("Chart.yaml")).toBe("Chart.lock");
    expect(helmLockPathOf("legacy/requirements.yaml")).toBe("legacy/requirements.lock");
    expect(helmLockPathOf("chart/values.yaml")).toBeNull();
    expect(helmManager.companions!("charts/app/Chart.yaml")).toEqual(["charts/app/Chart.lock"]);
    // A values file reads its chart's appVersion (for `tag: ""`).
    expect(helmManager.companions!("chart/values.yaml")).toEqual(["chart/Chart.yaml", "chart/Chart.yml"]);
  });

  it("fills locked_version and version of Chart.yaml dependencies from Chart.lock", () => {
    const r = extract("charts/app/Chart.yaml");
    const pg = byName(r.deps, "postgresql");
    expect(pg.current_value).toBe("~12.1.0");
    expect(pg.locked_version).toBe("12.1.9");
    expect(pg.version).toBe("12.1.9");
    expect(pg.notes).toContain("locked by charts/app/Chart.lock");
    // Trailing slash on the repository URL still matches the lock entry.
    expect(byName(r.deps, "redis").locked_version).toBe("17.11.3");
    // OCI dependencies are named by their full reference; the lock is matched by the chart name.
    expect(byName(r.deps, "registry-1.docker.io/bitnamicharts/common").locked_version).toBe("2.2.4");
    // Local charts are not looked up: no lock version.
    expect(byName(r.deps, "local-lib").locked_version).toBeNull();
    const missing = byName(r.deps, "unlocked");
    expect(missing.locked_version).toBeNull();
    expect(missing.version).toBe("1.0.0");
    expect(r.warnings).toEqual([
      { file: "charts/app/Chart.lock", line: null, manager: "helm", message: "unlocked is not in Chart.lock (run helm dependency update)" },
    ]);
  });

  it("reads Helm 2 requirements.lock for requirements.yaml", () => {
    const r = extract("charts/legacy/requirements.yaml");
    expect(r.warnings).toEqual([]);
    const d = byName(r.deps, "mariadb");
    expect([d.current_value, d.version, d.locked_version]).toEqual(["7.x.x", "7.3.14", "7.3.14"]);
  });

  it("ignores and warns about a stale lock whose version no longer satisfies the constraint", () => {
    const r = extract("charts/stale/Chart.yaml");
    const d = byName(r.deps, "nginx");
    expect(d.locked_version).toBeNull();
    expect(d.version).toBe("15.0.0");
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: "charts/stale/Chart.lock", line: 2, manager: "helm" });
    expect(r.warnings[0].message).toContain('nginx 13.2.1 in Chart.lock does not satisfy "^15.0.0"');
  });

  it("a malformed lock is warned with file and line, and the chart is still extracted", () => {
    const r = extract("charts/badlock/Chart.yaml");
    expect(byName(r.deps, "nginx")).toMatchObject({ version: "15.1.0", locked_version: null, skip_reason: null });
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(r.warnings.every((w) => w.file === "charts/badlock/Chart.lock" && w.line !== null)).toBe(true);
    expect(r.warnings.some((w) => /not in Chart\.lock/.test(w.message))).toBe(false);
  });

  it("without a lock file, nothing changes", () => {
    const bare = { readFile: () => undefined, allFiles: [] };
    const r = helmManager.extract("charts/app/Chart.yaml", ctx.readFile("charts/app/Chart.yaml")!, bare);
    expect(r.warnings).toEqual([]);
    expect(r.deps.every((d) => d.locked_version === null)).toBe(true);
    expect(byName(r.deps, "postgresql").version).toBe("12.1.0");
  });

  it("parseHelmLock warns about entries without a version and keeps the rest", () => {
    const warnings: ScanWarning[] = [];
    const entries = parseHelmLock("Chart.lock", "dependencies:\n- name: a\n  version: 1.0.0\n  repository: https://x\n- name: b\n- just-a-string\n", warnings);
    expect(entries).toEqual([{ name: "a", version: "1.0.0", repository: "https://x", line: 2 }]);
    expect(warnings.map((w) => [w.line, w.message])).toEqual([
      [5, "dependencies[1] should be a map with name and version"],
      [6, "dependencies[2] should be a map with name and version"],
    ]);
  });
});
