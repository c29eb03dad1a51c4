import fs from "node:fs";
import path from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";
import { npmManager } from "../../../src/scan/managers/npm.js";
import { diskContext, listFiles } from "./npm-helpers.js";
import { CORPUS, corpusPathAvailable } from "../../helpers/corpus.js";

const REPOS = path.join(CORPUS, "repos");
const exists = corpusPathAvailable("npm acceptance", REPOS);

const repos = exists ? fs.readdirSync(REPOS).filter((d) => fs.statSync(path.join(REPOS, d)).isDirectory()) : [];

describe.skipIf(!exists)("npm manager over the corpus", () => {
  for (const repo of repos) {
    const root = path.join(REPOS, repo);
    const ctx = diskContext(root);
    const manifests = listFiles(root).filter((f) => npmManager.matches(f) && f.endsWith("package.json"));

    for (const file of manifests) {
      it(`${repo}/${file}: no warnings, every declared dependency extracted`, () => {
        const text = fs.readFileSync(path.join(root, file), "utf8");
        const doc = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
        const r = npmManager.extract(file, text, ctx);
        expect(r.warnings).toEqual([]);
        for (const [section, type] of [["dependencies", "prod"], ["devDependencies", "dev"]] as const) {
          const declared = Object.entries(doc[section] ?? {});
          const got = r.deps.filter((d) => d.dependency_type === type);
          expect(got).toHaveLength(declared.length);
          for (const [name, value] of declared) {
            const realName = value.startsWith("npm:") ? value.slice(4).replace(/(.)@.*$/, "$1") : name;
            // The line really holds that key; a `catalog:` reference is reported at its catalog entry.
            const lineOfKey = (x: (typeof got)[number]): number | null => (x.declared_by ? x.declared_by.line : x.line);
            const d = got.find((x) => x.name === realName && text.split("\n")[lineOfKey(x)! - 1]?.includes(JSON.stringify(name)));
            expect(d, `${section}.${name}`).toBeDefined();
            if (value.startsWith("catalog:")) {
              expect(d!.declared_by?.file).toBe(file);
              const wsText = fs.readFileSync(path.join(root, d!.file), "utf8");
              expect(wsText.split("\n")[d!.line! - 1]).toContain(name);
              expect(d!.value_span?.text).toBe(d!.current_value);
            }
          }
        }
      });
    }
  }

  const ui = repos
    .flatMap((repo) => listFiles(path.join(REPOS, repo)).filter((f) => /leapfrogai_ui\/package\.json$/.test(f)).map((f) => ({ repo, file: f })))
    .find((x) => x.repo.includes("leapfrogai"));

  it.skipIf(!ui)("LeapfrogAI UI: locked versions from package-lock.json", () => {
    const root = path.join(REPOS, ui!.repo);
    const text = fs.readFileSync(path.join(root, ui!.file), "utf8");
    const r = npmManager.extract(ui!.file, text, diskContext(root));
    const lock = JSON.parse(fs.readFileSync(path.join(root, path.dirname(ui!.file), "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string }>;
    };
    const registryDeps = r.deps.filter((d) => d.datasource === "npm" && d.dependency_type !== "build");
    expect(registryDeps.length).toBeGreaterThan(50);
    for (const d of registryDeps) {
      expect(d.locked_version, d.name).toBe(lock.packages[`node_modules/${d.name}`]?.version);
      expect(semver.satisfies(d.locked_version!, d.current_value), `${d.name} ${d.locked_version} ${d.current_value}`).toBe(true);
      expect(d.version).toBe(d.locked_version);
    }
    const lockedCount = Object.keys(lock.packages).filter((k) => k.includes("node_modules/")).length;
    expect(r.locked!.length).toBeGreaterThan(lockedCount / 2);
    expect(r.locked!.length).toBeLessThanOrEqual(lockedCount);
  });
});
