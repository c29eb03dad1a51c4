import { defaultConfig, type CowabungaConfig } from "../../src/config/schema.js";
import type { AdvisoryRef } from "../../src/model/index.js";
import type { ScanResult, ScannedComponent } from "../../src/scan/types.js";
import type { AssessInputs, Clock } from "../../src/assess/types.js";
import type { DetectContext } from "../../src/assess/detect/context.js";

export const NOW = new Date("2026-03-01T12:00:00.000Z");
export const clock: Clock = () => new Date(NOW.getTime());

export function makeComponent(over: Partial<ScannedComponent> = {}): ScannedComponent {
  return {
    name: "api",
    path: "src/api",
    type: "api",
    version: "1.2.3",
    manifests: ["src/api/pyproject.toml"],
    dependencies: [],
    dependent_components: [],
    meta: {},
    ...over,
  };
}

export function makeScan(components: ScannedComponent[] = [makeComponent()], over: Partial<ScanResult> = {}): ScanResult {
  return {
    source: "local:/repo",
    commit_sha: "0123456789abcdef0123456789abcdef01234567",
    components,
    dependencies: [],
    locked: [],
    warnings: [],
    files_scanned: 10,
    manifests: components.flatMap((c) => c.manifests),
    ...over,
  };
}

export function makeAdvisory(over: Partial<AdvisoryRef> = {}): AdvisoryRef {
  return {
    id: "PYSEC-2018-28",
    kind: "vulnerability",
    aliases: ["CVE-2018-18074", "GHSA-x84v-xcm2-53pg"],
    summary: "Requests sends Authorization headers to HTTP redirects",
    url: "https://osv.dev/vulnerability/PYSEC-2018-28",
    score: 7.5,
    score_estimated: false,
    cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
    fixed_version: "2.20.0",
    published: "2018-10-09T00:00:00Z",
    ...over,
  };
}

export function makeInputs(over: Partial<AssessInputs> = {}): AssessInputs {
  return { scan: makeScan(), dependencies: [], previousIssues: [], ...over };
}

export function config(over: (c: CowabungaConfig) => void = () => {}): CowabungaConfig {
  const c = defaultConfig();
  over(c);
  return c;
}

export function detectContext(inputs: AssessInputs, cfg: CowabungaConfig = config()): DetectContext {
  return { inputs, config: cfg, now: NOW, components: inputs.scan.components, suitesByComponent: {}, warnings: [] };
}
