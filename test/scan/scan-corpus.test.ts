import { describe, expect, it } from "vitest";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { scanRepository } from "../../src/scan/index.js";
import { LocalSource } from "../../src/source/local.js";
import { corpusPathAvailable } from "../helpers/corpus.js";

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..", "shared/corpus");
const leapfrog = path.join(corpus, "repos", "defenseunicorns__leapfrogai");
const present = corpusPathAvailable("[scan-corpus]", leapfrog);

describe.skipIf(!present)("acceptance: scanning LeapfrogAI with every manager", () => {
  it("finds its components, their types and their links, and no manager crashes", async () => {
    const result = await scanRepository(new LocalSource(leapfrog), { repoName: "leapfrogai" });
    const c = Object.fromEntries(result.components.map((x) => [x.name, x]));
    // The four services of the seed's data/component_health/ layout.
    expect(c["leapfrogai-api"]).toMatchObject({ path: "src/leapfrogai_api", type: "api" });
    expect(c["leapfrogai-ui"]).toMatchObject({ path: "src/leapfrogai_ui", type: "ui" });
    expect(c["leapfrogai-sdk"]).toMatchObject({ path: "src/leapfrogai_sdk", type: "sdk" });
    expect(c["leapfrogai-evals"]).toMatchObject({ path: "src/leapfrogai_evals" });
    expect(c["leapfrogai"]).toMatchObject({ path: "." });
    // Deployment packages are infrastructure, their charts too.
    for (const comp of result.components.filter((x) => x.path.startsWith("packages/") && x.path.endsWith("/chart"))) {
      expect(comp.type).toBe("infrastructure");
    }
    // Model backends build FROM the SDK image; the API's zarf package ships the API image.
    expect(c["leapfrogai-sdk"].dependent_components).toEqual(expect.arrayContaining(["lfai-vllm", "lfai-whisper", "packages-api"]));
    expect(c["packages-api"].dependencies).toEqual(expect.arrayContaining(["leapfrogai-api", "leapfrogai-sdk"]));
    // Every link is mirrored.
    for (const comp of result.components) {
      for (const d of comp.dependencies) expect(c[d].dependent_components).toContain(comp.name);
    }
    // Workflows belong to the root; every dependency has a component that exists.
    expect(result.dependencies.filter((d) => d.file.startsWith(".github/")).every((d) => d.component === "leapfrogai")).toBe(true);
    expect(result.dependencies.every((d) => d.component in c)).toBe(true);
    expect(result.warnings.filter((w) => /crashed/.test(w.message))).toEqual([]);
    for (const kind of ["pyproject.toml", "package.json", "Dockerfile", "Chart.yaml", "zarf.yaml", "go.mod"]) {
      expect(result.manifests.some((m) => m.endsWith(kind))).toBe(true);
    }
  });
});
