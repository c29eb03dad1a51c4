/**
 * The remediation plans of two lockfile fixtures, pinned: every locked package planned as if one
 * advisory were fixed in its next patch version, offline (only what the lockfile records). Guards the
 * planner's speed work (src/enrich/remediation.ts, src/scan/graph/attribute.ts): the plans must not move.
 * Expected values were read off the fixtures by hand: yarn.lock records each parent's range (chalk ^2
 * requires ansi-styles ^3.2.1, which admits 3.2.2), pnpm-lock.yaml records none (the plan says so).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { planRemediation } from "../../src/enrich/remediation.js";
import type { Dependency } from "../../src/model/index.js";
import { scanRepository } from "../../src/scan/index.js";
import { LocalSource } from "../../src/source/local.js";
import { makeDependency } from "../helpers/factories.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/graph");

/** `patch`: the fix is the next patch (parents' ranges admit it); `major`: the next major (they exclude it). */
async function plans(dir: string, bump: "patch" | "major" = "patch"): Promise<Array<[string, string, unknown]>> {
  const scan = await scanRepository(new LocalSource(path.join(FIXTURES, dir)), { repoName: "fx" });
  const out: Array<[string, string, unknown]> = [];
  for (const l of scan.locked) {
    const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(l.version);
    const fixed = !m ? null : bump === "patch" ? `${m[1]}.${m[2]}.${Number(m[3]) + 1}` : `${Number(m[1]) + 1}.0.0`;
    const declared = scan.dependencies.find((d) => d.name === l.name && d.component === l.component);
    const dep: Dependency = makeDependency({
      name: l.name,
      version: l.version,
      locked_version: l.version,
      datasource: l.datasource,
      component: l.component,
      file: declared?.file ?? l.file,
      line: declared?.line ?? null,
      lockfile: l.lockfile ?? null,
      depth: l.depth ?? null,
      current_value: declared && l.depth === 1 ? declared.current_value : "(transitive)",
      fixed_version: fixed,
      advisories: [{ id: "PIN-1", kind: "vulnerability", aliases: [], summary: "", url: null, score: 7.5, score_estimated: false, cvss_vector: null, fixed_version: fixed, published: null }],
    });
    const plan = await planRemediation(dep, l, { declarations: scan.dependencies });
    out.push([`${l.component} ${l.name} ${l.version}`, plan?.kind ?? "none", plan]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe("remediation plans of lockfile fixtures (pinned)", () => {
  it("yarn classic", async () => {
    expect(await plans("yarn-classic")).toEqual(YARN);
  });
  it("pnpm v9 workspace", async () => {
    expect(await plans("pnpm-v9")).toEqual(PNPM);
  });
  it("yarn classic, fixes in the next major: parents exclude them, so overrides (offline: no parent bump)", async () => {
    expect(await plans("yarn-classic", "major")).toEqual(YARN_MAJOR);
  });
});

const YARN: Array<[string, string, unknown]> = [
  [
    "fx ansi-regex 3.0.0",
    "in_place",
    {
      kind: "in_place",
      target_version: "3.0.1",
      file: "yarn.lock",
      action: "Update ansi-regex from 3.0.0 to 3.0.1 in yarn.lock only (yarn up -R ansi-regex): the requirement ^3.0.0 in package.json admits it",
      parent: null,
      risk: null,
      removes: ["PIN-1"],
      reasons: [],
    },
  ],
  [
    "fx ansi-styles 3.2.1",
    "in_place",
    {
      kind: "in_place",
      target_version: "3.2.2",
      file: "yarn.lock",
      action: "Update ansi-styles from 3.2.1 to 3.2.2 in yarn.lock only (yarn up -R ansi-styles): chalk 2.4.2 requires ^3.2.1, which admits it",
      parent: null,
      risk: null,
      removes: ["PIN-1"],
      reasons: [],
    },
  ],
  [
    "fx chalk 2.4.2",
    "in_place",
    {
      kind: "in_place",
      target_version: "2.4.3",
      file: "yarn.lock",
      action: "Update chalk from 2.4.2 to 2.4.3 in yarn.lock only (yarn up -R chalk): the requirement ^2.0.0 in package.json admits it",
      parent: null,
      risk: null,
      removes: ["PIN-1"],
      reasons: [],
    },
  ],
  [
    "fx color-convert 1.9.3",
    "in_place",
    {
      kind: "in_place",
      target_version: "1.9.4",
      file: "yarn.lock",
      action: "Update color-convert from 1.9.3 to 1.9.4 in yarn.lock only (yarn up -R color-convert): ansi-styles 3.2.1 requires ^1.9.0, which admits it",
      parent: null,
      risk: null,
      removes: ["PIN-1"],
      reasons: [],
    },
  ],
  [
    "fx left-pad 1.1.3",
    "in_place",
    {
      kind: "in_place",
      target_version: "1.1.4",
      file: "yarn.lock",
      action: "Update left-pad from 1.1.3 to 1.1.4 in yarn.lock only (yarn up -R left-pad): the requirement ^1.1.0 in package.json admits it",
      parent: null,
      risk: null,
      removes: ["PIN-1"],
      reasons: [],
    },
  ],
];
const PNPM: Array<[string, string, unknown]> = [
  [
    "a debug 4.3.4",
    "in_place",
    {
      kind: "in_place",
      target_version: "4.3.5",
      file: "pnpm-lock.yaml",
      action: "Update debug from 4.3.4 to 4.3.5 in pnpm-lock.yaml only (pnpm update debug --depth Infinity): the requirement ^4.3.0 in packages/a/package.json admits it",
      parent: null,
      risk: null,
      removes: ["PIN-1"],
      reasons: [],
    },
  ],
  [
    "a ms 2.1.2",
    "in_place",
    {
      kind: "in_place",
      target_version: "2.1.3",
      file: "pnpm-lock.yaml",
      action: "Update ms from 2.1.2 to 2.1.3 in pnpm-lock.yaml only (pnpm update ms --depth Infinity)",
      parent: null,
      risk: "the requirements of debug 4.3.4 on ms were not checked (not in pnpm-lock.yaml, registry metadata not available): if the update is refused, upgrade debug instead",
      removes: ["PIN-1"],
      reasons: ["the requirement of debug 4.3.4 on ms is unknown"],
    },
  ],
  [
    "b ms 2.0.0",
    "in_place",
    {
      kind: "in_place",
      target_version: "2.0.1",
      file: "pnpm-lock.yaml",
      action: "Update ms from 2.0.0 to 2.0.1 in pnpm-lock.yaml only (pnpm update ms --depth Infinity): the requirement ^2.0.0 in packages/b/package.json admits it",
      parent: null,
      risk: null,
      removes: ["PIN-1"],
      reasons: [],
    },
  ],
];

const YARN_MAJOR: Array<[string, string, unknown]> = [
  [
    "fx ansi-regex 3.0.0",
    "direct_update",
    {
      kind: "direct_update",
      target_version: "4.0.0",
      file: "package.json",
      action: "Upgrade ansi-regex from 3.0.0 to 4.0.0 in package.json (line 9) and regenerate yarn.lock",
      parent: null,
      risk: null,
      removes: ["PIN-1"],
      reasons: ["the requirement ^3.0.0 excludes 4.0.0"],
    },
  ],
  [
    "fx ansi-styles 3.2.1",
    "override",
    {
      kind: "override",
      target_version: "4.0.0",
      file: "package.json",
      action: "Add \"resolutions\": { \"ansi-styles\": \"4.0.0\" } to package.json and run yarn install, which rewrites yarn.lock",
      parent: null,
      risk: "chalk 2.4.2 (^3.2.1) never declared support for ansi-styles 4.0.0: run their tests; remove the override once they release a version that admits it",
      removes: ["PIN-1"],
      reasons: ["chalk 2.4.2 requires ansi-styles ^3.2.1, which excludes 4.0.0", "versions of chalk not known (registry metadata not available)"],
    },
  ],
  [
    "fx chalk 2.4.2",
    "direct_update",
    {
      kind: "direct_update",
      target_version: "3.0.0",
      file: "package.json",
      action: "Upgrade chalk from 2.4.2 to 3.0.0 in package.json (line 5) and regenerate yarn.lock",
      parent: null,
      risk: null,
      removes: ["PIN-1"],
      reasons: ["the requirement ^2.0.0 excludes 3.0.0"],
    },
  ],
  [
    "fx color-convert 1.9.3",
    "override",
    {
      kind: "override",
      target_version: "2.0.0",
      file: "package.json",
      action: "Add \"resolutions\": { \"color-convert\": \"2.0.0\" } to package.json and run yarn install, which rewrites yarn.lock",
      parent: null,
      risk: "ansi-styles 3.2.1 (^1.9.0) never declared support for color-convert 2.0.0: run their tests; remove the override once they release a version that admits it",
      removes: ["PIN-1"],
      reasons: ["ansi-styles 3.2.1 requires color-convert ^1.9.0, which excludes 2.0.0", "versions of chalk not known (registry metadata not available)"],
    },
  ],
  [
    "fx left-pad 1.1.3",
    "direct_update",
    {
      kind: "direct_update",
      target_version: "2.0.0",
      file: "package.json",
      action: "Upgrade left-pad from 1.1.3 to 2.0.0 in package.json (line 6) and regenerate yarn.lock",
      parent: null,
      risk: null,
      removes: ["PIN-1"],
      reasons: ["the requirement ^1.1.0 excludes 2.0.0"],
    },
  ],
];
