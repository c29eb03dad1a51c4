import { describe, expect, it } from "vitest";
import { resolveZarfVariables, zarfManager, zarfVariables, ZARF_SKIP } from "../../../src/scan/managers/zarf.js";
import { parseYaml } from "../../../src/scan/managers/image-ref.js";
import type { ExtractedDependency } from "../../../src/scan/types.js";
import { fixtureCtx } from "./fixture-ctx.js";

const ROOT = new URL("../../fixtures/fidelity/zarf-vars", import.meta.url).pathname;
const ctx = fixtureCtx(ROOT);
const r = zarfManager.extract("zarf.yaml", ctx.readFile("zarf.yaml")!, ctx);

function byName(name: string): ExtractedDependency {
  const d = r.deps.find((x) => x.name === name);
  if (!d) throw new Error(`no dependency ${name} in ${r.deps.map((x) => x.name).join(", ")}`);
  return d;
}

describe("zarf variables and constants", () => {
  it("collects variables[].default and constants[].value, leaving out sensitive variables", () => {
    const { docs } = parseYaml("zarf.yaml", ctx.readFile("zarf.yaml")!, "zarf");
    const vars = zarfVariables(docs[0].contents);
    expect(Object.fromEntries(vars)).toEqual({
      ZARF_VAR_REGISTRY: "ghcr.io",
      ZARF_CONST_PODINFO_VERSION: "6.4.0",
      ZARF_CONST_CHART_VERSION: "6.4.1",
      ZARF_CONST_FROM_TEMPLATE: "###ZARF_PKG_TMPL_TAG###",
    });
    expect(resolveZarfVariables("###ZARF_VAR_REGISTRY###/a:###ZARF_VAR_X###", vars)).toEqual({ text: "ghcr.io/a:###ZARF_VAR_X###", used: ["ZARF_VAR_REGISTRY"] });
  });

  it("resolves images whose name and tag come from variables and constants", () => {
    const d = byName("ghcr.io/stefanprodan/podinfo");
    expect(d).toMatchObject({ datasource: "docker", current_value: "6.4.0", version: "6.4.0", registry_url: "ghcr.io", skip_reason: null, line: 35 });
    expect(d.notes).toEqual(["resolved from variables: ###ZARF_VAR_REGISTRY### = ghcr.io, ###ZARF_CONST_PODINFO_VERSION### = 6.4.0"]);
    expect(byName("docker.io/library/nginx").notes).toBeUndefined();
  });

  it("resolves chart versions and OCI chart urls", () => {
    expect(byName("podinfo")).toMatchObject({ datasource: "helm", current_value: "6.4.1", skip_reason: null, registry_url: "https://stefanprodan.github.io/podinfo" });
    expect(byName("ghcr.io/stefanprodan/charts/podinfo")).toMatchObject({ datasource: "docker", current_value: "6.4.1", registry_url: "ghcr.io", skip_reason: null });
  });

  it("resolves git repo refs", () => {
    expect(byName("stefanprodan/podinfo")).toMatchObject({ datasource: "github-tags", current_value: "6.4.0", skip_reason: null });
  });

  it("keeps the skip reason when a template stays unresolved", () => {
    // No default, create-time PKG_TMPL (also through a constant), sensitive variable.
    expect(byName("mystery")).toMatchObject({ skip_reason: ZARF_SKIP, current_value: "###ZARF_VAR_NO_DEFAULT###" });
    expect(byName("registry1.dso.mil/ironbank/opensource/postgres").skip_reason).toBe(ZARF_SKIP);
    expect(byName("ghcr.io/acme/tool").skip_reason).toBe(ZARF_SKIP);
    const secret = byName("ghcr.io/acme/db");
    expect(secret.skip_reason).toBe(ZARF_SKIP);
    expect(JSON.stringify(secret)).not.toContain("hunter2");
    expect(JSON.stringify(r.deps)).not.toContain("hunter2");
    expect(r.warnings).toEqual([]);
  });
});
