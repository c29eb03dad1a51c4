import { describe, expect, it } from "vitest";
import { advisoryQueryKey, ecosystemForDatasource, normalisePackageName, parseOsvRecord } from "../../../src/enrich/advisories/types.js";
import { baseDependency } from "../../../src/scan/managers/dependency.js";

// Oracles: PEP 503 ("normalized names": lower case, runs of `-`, `_`, `.` become one `-`) and the OSV
// schema (https://ossf.github.io/osv-schema/: an event holds exactly one of introduced / fixed /
// last_affected / limit; `affected`, `references`, `aliases` and `severity` may be absent).
describe("OSV types", () => {
  it("normalises PyPI names per PEP 503 and leaves other ecosystems' names as written", () => {
    expect(normalisePackageName("PyPI", "Friendly-Bard")).toBe("friendly-bard");
    expect(normalisePackageName("PyPI", "FRIENDLY-BARD")).toBe("friendly-bard");
    expect(normalisePackageName("PyPI", "friendly.bard")).toBe("friendly-bard");
    expect(normalisePackageName("PyPI", "friendly_bard")).toBe("friendly-bard");
    expect(normalisePackageName("PyPI", "friendly--bard")).toBe("friendly-bard");
    expect(normalisePackageName("PyPI", "FrIeNdLy-._.-bArD")).toBe("friendly-bard");
    expect(normalisePackageName("npm", "Friendly_Bard")).toBe("Friendly_Bard");
    expect(normalisePackageName("crates.io", "serde_json")).toBe("serde_json");
  });

  it("keys a query by ecosystem, normalised name and version", () => {
    expect(advisoryQueryKey({ ecosystem: "PyPI", name: "Py_YAML", version: "5.1" })).toBe("PyPI\u0000py-yaml\u00005.1");
    expect(advisoryQueryKey({ ecosystem: "npm", name: "Lodash", version: "4.17.20" })).toBe("npm\u0000Lodash\u00004.17.20");
  });

  it("maps datasources to OSV ecosystems", () => {
    expect(["npm", "pypi", "crates", "go", "docker", "helm"].map((d) => ecosystemForDatasource(d as never))).toEqual(["npm", "PyPI", "crates.io", "Go", null, null]);
  });

  it("accepts an event with exactly one field and refuses one with two, naming where", () => {
    const rec = (events: unknown[]) => ({ id: "GHSA-x", affected: [{ package: { ecosystem: "npm", name: "a" }, ranges: [{ type: "SEMVER", events }] }] });
    const one = parseOsvRecord(rec([{ introduced: "0" }, { fixed: "1.2.3" }]));
    expect(one.ok).toBe(true);
    const two = parseOsvRecord(rec([{ introduced: "0", fixed: "1.2.3" }]));
    expect(two).toEqual({ ok: false, error: "affected.0.ranges.0.events.0: an event has exactly one of introduced, fixed, last_affected, limit" });
    const none = parseOsvRecord(rec([{}]));
    expect(none.ok).toBe(false);
  });

  it("reads absent or null lists as empty lists", () => {
    const res = parseOsvRecord({ id: "PYSEC-1", affected: null, references: null, aliases: null, severity: null });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.record.affected).toEqual([]);
    expect(res.record.references).toEqual([]);
    expect(res.record.aliases).toEqual([]);
    expect(res.record.severity).toEqual([]);
    const bare = parseOsvRecord({ id: "PYSEC-2" });
    expect(bare.ok && [bare.record.affected, bare.record.references]).toEqual([[], []]);
  });

  it("names the field of an invalid record, or (root) when the record itself is wrong", () => {
    expect(parseOsvRecord({ id: "" })).toEqual({ ok: false, error: expect.stringMatching(/^id: \S/) });
    const root = parseOsvRecord("not a record");
    expect(root.ok).toBe(false);
    expect(!root.ok && root.error).toMatch(/^\(root\): \S/);
    const nul = parseOsvRecord(null);
    expect(!nul.ok && nul.error).toMatch(/^\(root\): \S/);
  });
});

describe("baseDependency", () => {
  it("fills every field the caller does not know with null, the component with empty text", () => {
    const dep = baseDependency({ file: "a/requirements.txt", line: 3, package_manager: "pip", dependency_type: "prod" }, { name: "flask", datasource: "pypi", current_value: "==2.0" });
    expect(dep).toEqual({
      name: "flask",
      datasource: "pypi",
      current_value: "==2.0",
      version: "==2.0",
      locked_version: null,
      registry_url: null,
      digest: null,
      skip_reason: null,
      local_path: null,
      component: "",
      file: "a/requirements.txt",
      line: 3,
      package_manager: "pip",
      dependency_type: "prod",
    });
  });
});
