/**
 * The YAML managers on the js-yaml tree (src/scan/managers/yaml-ast.ts): anchors, aliases and merge
 * keys, SHA-pin comments, and broken files that go through the `yaml` fallback.
 */
import { describe, expect, it } from "vitest";
import { dockerManager } from "../../../src/scan/managers/docker.js";
import { githubActionsManager } from "../../../src/scan/managers/github-actions.js";
import { helmManager } from "../../../src/scan/managers/helm.js";
import { udsManager } from "../../../src/scan/managers/uds.js";
import { zarfManager } from "../../../src/scan/managers/zarf.js";
import type { ExtractContext } from "../../../src/scan/types.js";

const ctx: ExtractContext = { readFile: () => undefined, allFiles: [] };
const SHA = "b4ffde65f46336ab88eb53be808477a3936bae11";

describe("YAML managers on the fast tree", () => {
  it("docker compose: merge keys and aliases give the image, on the line where it is written", () => {
    const compose = [
      "x-base: &base",
      "  image: nginx:1.25",
      "  restart: always",
      "services:",
      "  web:",
      "    <<: *base",
      "  api:",
      "    <<: *base",
      "    image: ghcr.io/org/api:2.0",
      "  cache:",
      "    image: &redis redis:7.2",
      "  cache2:",
      "    image: *redis",
      "",
    ].join("\n");
    const r = dockerManager.extract("docker-compose.yml", compose, ctx);
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.current_value, d.line])).toEqual([
      ["nginx", "1.25", 2],
      ["ghcr.io/org/api", "2.0", 9],
      ["redis", "7.2", 11],
      ["redis", "7.2", 11],
    ]);
  });

  it("github-actions: SHA pins keep their version comment; aliased steps are read", () => {
    const wf = [
      "on: push",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-22.04",
      "    steps:",
      `      - &checkout {uses: "actions/checkout@${SHA}"} # v4.1.1`,
      `      - uses: actions/setup-go@${SHA} # tag=v5.0.0`,
      "  b:",
      "    runs-on: ubuntu-22.04",
      "    steps:",
      "      - *checkout",
      "",
    ].join("\n");
    const r = githubActionsManager.extract(".github/workflows/ci.yml", wf, ctx);
    expect(r.warnings).toEqual([]);
    const actions = r.deps.filter((d) => d.datasource === "github-tags");
    expect(actions.map((d) => [d.name, d.current_value, d.digest, d.line])).toEqual([
      ["actions/checkout", SHA, SHA, 6],
      ["actions/setup-go", "v5.0.0", SHA, 7],
      ["actions/checkout", SHA, SHA, 6],
    ]);
  });

  it("a broken file still gives a warning with its line from each manager, and never throws", () => {
    const broken = "name: x\ncomponents:\n  - name: a\n   images: [a:1]\n";
    for (const [m, file] of [
      [zarfManager, "zarf.yaml"],
      [udsManager, "uds-bundle.yaml"],
      [helmManager, "Chart.yaml"],
      [dockerManager, "compose.yaml"],
      [githubActionsManager, ".github/workflows/x.yml"],
    ] as const) {
      const r = m.extract(file, broken, ctx);
      expect(r.warnings.length, file).toBeGreaterThan(0);
      expect(r.warnings[0], file).toMatchObject({ file, line: 4, message: expect.stringMatching(/invalid YAML/) });
    }
  });

  it("zarf: an empty images entry is reported on its own line (fallback placement)", () => {
    const zarf = "kind: ZarfPackageConfig\nmetadata:\n  name: p\ncomponents:\n  - name: c\n    images:\n      - a:1\n      -\n      - b:2\n";
    const r = zarfManager.extract("zarf.yaml", zarf, ctx);
    expect(r.deps.map((d) => [d.name, d.line])).toEqual([
      ["a", 7],
      ["b", 9],
    ]);
    expect(r.warnings).toEqual([expect.objectContaining({ line: 8, message: expect.stringMatching(/should be a string, found null/) })]);
  });
});
