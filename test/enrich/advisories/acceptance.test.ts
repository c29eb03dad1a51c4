import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { findVulnerabilities } from "../../../src/enrich/advisories/index.js";
import { OsvOfflineIndex } from "../../../src/enrich/advisories/osv-offline.js";
import { CORPUS, corpusPathAvailable } from "../../helpers/corpus.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const CORPUS_OSV = path.join(CORPUS, "osv");
const PINS = path.resolve(here, "../../fixtures/enrich/osv/pinned-requirements.txt");
const exists = corpusPathAvailable("[enrich/osv acceptance]", CORPUS_OSV);

interface Pin {
  line: number;
  name: string;
  version: string;
  kind: "affected" | "fixed" | "clean";
  ids: string[];
}

function readPins(): Pin[] {
  const pins: Pin[] = [];
  readFileSync(PINS, "utf8")
    .split("\n")
    .forEach((raw, i) => {
      const text = raw.trim();
      if (!text || text.startsWith("#")) return;
      const m = /^([A-Za-z0-9._-]+)==(\S+)\s+#\s+(affected|fixed|clean)\b\s*([A-Z0-9,-]*)/.exec(text);
      if (!m) throw new Error(`${PINS}:${i + 1}: cannot parse "${text}"`);
      pins.push({ line: i + 1, name: m[1], version: m[2], kind: m[3] as Pin["kind"], ids: m[4] ? m[4].split(",") : [] });
    });
  return pins;
}

describe.skipIf(!exists)("acceptance: offline OSV index over the PyPA corpus", () => {
  let index: OsvOfflineIndex;
  beforeAll(async () => {
    index = await OsvOfflineIndex.load(CORPUS_OSV);
  }, 60_000);

  it("loads every record of the corpus without warnings", () => {
    expect(index.stats.records).toBeGreaterThan(2600);
    expect(index.warnings).toEqual([]);
  });

  it("reports every affected pin and no fixed one", async () => {
    const pins = readPins();
    expect(new Set(pins.map((p) => p.name.toLowerCase())).size).toBeGreaterThanOrEqual(20);
    const report = await findVulnerabilities(
      pins.map((p) => ({ datasource: "pypi" as const, name: p.name, version: p.version })),
      index,
    );
    const failures: string[] = [];
    pins.forEach((pin, i) => {
      const r = report.results[i];
      const got = r.advisories.map((a) => a.id);
      const where = `pinned-requirements.txt:${pin.line} ${pin.name}==${pin.version}`;
      if (!r.checked) failures.push(`${where}: not checked (${r.reason})`);
      else if (pin.kind === "affected") {
        for (const id of pin.ids) if (!got.includes(id)) failures.push(`${where}: ${id} not reported (got ${got.join(", ") || "none"})`);
      } else if (pin.kind === "fixed") {
        for (const id of pin.ids) if (got.includes(id)) failures.push(`${where}: ${id} reported but the version is fixed`);
      } else if (got.length > 0) failures.push(`${where}: expected nothing, got ${got.join(", ")}`);
    });
    expect(failures).toEqual([]);
  });

  it("fills fixed_version, CVE ids and scores from the records", async () => {
    const report = await findVulnerabilities(
      [
        { datasource: "pypi", name: "requests", version: "2.2.1" },
        { datasource: "pypi", name: "py", version: "1.11.0" },
      ],
      index,
    );
    const [requests, py] = report.results;
    const adv = requests.advisories.find((a) => a.id === "PYSEC-2014-13");
    expect(adv?.fixed_version).toBe("2.3.0");
    expect(requests.cve_ids.length).toBeGreaterThan(0);
    expect(requests.cve_ids.every((c) => /^CVE-\d{4}-\d+$/.test(c))).toBe(true);
    expect(requests.patch_available).toBe(true);
    const pyAdv = py.advisories.find((a) => a.id === "PYSEC-2022-42969");
    expect(pyAdv?.fixed_version).toBeNull();
  });
});
