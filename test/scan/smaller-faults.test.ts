import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scanRepository } from "../../src/scan/index.js";
import { LocalSource } from "../../src/source/local.js";
import { formatScanTable } from "../../src/cli/format/table.js";
import { formatScanCsv } from "../../src/cli/format/csv.js";
import { renderCsv } from "../../src/act/report/csv.js";
import { makeDependency, makeSystemHealth } from "../helpers/factories.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cowabunga-faults-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const scan = () => scanRepository(new LocalSource(dir), { repoName: "r" });

describe("smaller faults (issue 10, item 9)", () => {
  it("a package-lock.json of the wrong types is reported, and ^4.17.0 is not shown as version 4.17.0", async () => {
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "r", dependencies: { lodash: "^4.17.0" } }));
    for (const lock of [{ lockfileVersion: 3, packages: "nope" }, { lockfileVersion: 1, dependencies: ["lodash"] }, { lockfileVersion: "3", packages: {} }]) {
      writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lock));
      const result = await scan();
      const w = result.warnings.find((x) => x.file === "package-lock.json");
      expect(w?.message, JSON.stringify(lock)).toMatch(/cannot read lockfile \(.*(expected an object|expected 1, 2 or 3); the lockfile is ignored\)/);
      const lodash = result.dependencies.find((d) => d.name === "lodash");
      expect(lodash?.locked_version).toBeNull();
      const row = formatScanTable(result).split("\n").find((l) => /\blodash\b/.test(l)) ?? "";
      expect(row).toMatch(/^r\s+lodash\s+-\s+\^4\.17\.0\s+npm/);
    }
  });

  it("a locked or pinned version is still shown", async () => {
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "r", dependencies: { lodash: "^4.17.0", leftpad: "1.3.0" } }));
    writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { "": {}, "node_modules/lodash": { version: "4.17.21" } } }));
    const table = formatScanTable(await scan());
    expect(table).toMatch(/^r\s+lodash\s+4\.17\.21\s+\^4\.17\.0/m);
    expect(table).toMatch(/^r\s+leftpad\s+1\.3\.0\s+1\.3\.0/m);
  });

  it("a warning names its location once, not 'package.json:1: package.json:1:'", async () => {
    writeFileSync(path.join(dir, "package.json"), '{"name": "r", "dependencies": {"lodash": "^4.17.0"}');
    const result = await scan();
    const w = result.warnings.find((x) => x.file === "package.json");
    expect(w).toMatchObject({ line: 1 });
    expect(w?.message).not.toMatch(/^package\.json/);
    const table = formatScanTable(result);
    expect(table).toMatch(/\[npm\] package\.json:1: invalid JSON/);
    expect(table).not.toMatch(/package\.json:1: package\.json/);
  });

  it("CSV keeps no terminal escape codes from file names or versions", async () => {
    const evil = "evil\u001b[2J\u001b]0;pwned\u0007\u001b[31m.txt";
    const result = await scan();
    const csv = formatScanCsv({
      ...result,
      dependencies: [
        {
          name: "x\u001b[1mbold",
          package_manager: "npm",
          datasource: "npm",
          file: evil,
          line: 1,
          dependency_type: "prod",
          current_value: "1.0.0",
          version: "1.0.0",
          locked_version: null,
          registry_url: null,
          digest: null,
          skip_reason: null,
          local_path: null,
          component: "r",
        },
      ],
    });
    expect(csv).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    expect(csv).toContain("evil.txt");
    expect(csv).toContain("xbold");
    const report = renderCsv(
      { system: makeSystemHealth(), components: [], issues: [], dependencies: [makeDependency({ file: evil, name: "y\u009b31m" })], alerts: [], warnings: [] },
      "dependencies",
    );
    expect(report).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    expect(report).toContain("evil.txt");
  });
});
