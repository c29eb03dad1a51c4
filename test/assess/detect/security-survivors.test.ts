/**
 * Survivors of the focused mutation run of src/assess/detect/security.ts (issue 18): the order of the
 * hits and of the drafts when the input comes unsorted, the advisory order (CVSS, then id, unscored
 * last), the title past three advisories, cvss / cvss_estimated / deprecated_target, and the upgrade
 * steps of transitive and lockfile-pinned declarations. Every expected value is written out by hand.
 */
import { describe, expect, it } from "vitest";
import { detectSecurity } from "../../../src/assess/detect/security.js";
import type { AdvisoryRef, Dependency } from "../../../src/model/index.js";
import { makeDependency } from "../../helpers/factories.js";
import { detectContext, makeAdvisory, makeInputs } from "../helpers.js";

const run = (dependencies: Dependency[]) => detectSecurity(detectContext(makeInputs({ dependencies })));
const A = makeAdvisory(); // PYSEC-2018-28, CVSS 7.5, fixed in 2.20.0
const adv = (id: string, score: number | null, over: Partial<AdvisoryRef> = {}) => makeAdvisory({ id, score, aliases: [], cvss_vector: null, ...over });
const RUN_ONE = "Run the tests listed under testing requirements and confirm PYSEC-2018-28 no longer matches";

describe("order", () => {
  it("sorts the hits by component and file, and the drafts by subject, whatever the input order", () => {
    const urllib3 = makeDependency({ name: "urllib3", version: "1.24.1", current_value: "==1.24.1", line: 5, fixed_version: "1.24.2", advisories: [adv("PYSEC-2019-132", 7.5, { fixed_version: "1.24.2" })] });
    const worker = makeDependency({ component: "worker", file: "worker/requirements.txt", advisories: [A] });
    const apiB = makeDependency({ component: "api", file: "api/requirements.txt", advisories: [A] });
    const apiA = makeDependency({ component: "api", file: "api/constraints.txt", line: 1, advisories: [A] });
    const r = run([urllib3, worker, apiB, apiA]);
    expect(r.drafts.map((d) => d.subject)).toEqual(["security:pypi:requests@2.19.0", "security:pypi:urllib3@1.24.1"]);
    expect(r.drafts[0].resolution_steps).toEqual([
      "Upgrade requests from 2.19.0 to 2.20.0 in api/constraints.txt (line 1)",
      "Upgrade requests from 2.19.0 to 2.20.0 in api/requirements.txt (line 3)",
      "Upgrade requests from 2.19.0 to 2.20.0 in worker/requirements.txt (line 3)",
      RUN_ONE,
    ]);
  });

  it("orders advisories by CVSS (highest first), equal scores by id, unscored last; more than three: an ellipsis", () => {
    const three = run([makeDependency({ advisories: [adv("B-2", 7), adv("B-1", 7), adv("C-0", 9.1)] })]).drafts[0];
    expect(three.title).toBe("requests 2.19.0: 3 advisories (C-0, B-1, B-2) in api");
    expect(three.resolution_steps.at(-1)).toBe("Run the tests listed under testing requirements and confirm C-0, B-1, B-2 no longer match");
    const four = run([makeDependency({ advisories: [adv("N-1", null), adv("L-1", 0.5), adv("B-2", 7), adv("B-1", 7)] })]).drafts[0];
    expect(four.title).toBe("requests 2.19.0: 4 advisories (B-1, B-2, L-1, …) in api");
    expect(four.description.split("\n")[2]).toBe("Advisories: B-1 (CVSS 7.0), B-2 (CVSS 7.0), L-1 (CVSS 0.5), N-1");
  });
});

describe("facts", () => {
  it("cvss is the highest score, estimated when unknown or when any advisory's score is; never a deprecated target", () => {
    const scored = run([makeDependency({ advisories: [A] })]).drafts[0].facts;
    expect(scored).toMatchObject({ cvss: 7.5, cvss_estimated: false, deprecated_target: false });
    const mixed = run([makeDependency({ advisories: [A, adv("X-2", 5, { score_estimated: true })] })]).drafts[0].facts;
    expect(mixed).toMatchObject({ cvss: 7.5, cvss_estimated: true });
    const unscored = run([makeDependency({ advisories: [adv("X-3", null)] })]).drafts[0].facts;
    expect(unscored).toMatchObject({ cvss: null, cvss_estimated: true });
  });
});

describe("upgrade steps without a remediation plan", () => {
  const steps = (over: Partial<Dependency>) => run([makeDependency({ advisories: [A], ...over })]).drafts[0].resolution_steps;

  it("a transitive package is updated in its lockfile, or in its file when it has none", () => {
    expect(steps({ depth: 2, file: "api/pyproject.toml", lockfile: "api/poetry.lock" })).toEqual([
      "Update requests from 2.19.0 to 2.20.0 in api/poetry.lock (it is not declared in a manifest; the lockfile pins it)",
      RUN_ONE,
    ]);
    expect(steps({ depth: null, current_value: "(transitive)", lockfile: null })).toEqual([
      "Update requests from 2.19.0 to 2.20.0 in api/requirements.txt (it is not declared in a manifest; the lockfile pins it)",
      RUN_ONE,
    ]);
  });

  it("a direct declaration with a separate lockfile also regenerates it; the same file or none does not", () => {
    expect(steps({ depth: 1, file: "api/pyproject.toml", line: null, lockfile: "api/uv.lock" })).toEqual([
      "Upgrade requests from 2.19.0 to 2.20.0 in api/pyproject.toml",
      "Regenerate api/uv.lock so it pins requests 2.20.0 or later",
      RUN_ONE,
    ]);
    expect(steps({ depth: 1, lockfile: "api/requirements.txt" })).toEqual(["Upgrade requests from 2.19.0 to 2.20.0 in api/requirements.txt (line 3)", RUN_ONE]);
    expect(steps({ depth: 1, lockfile: null })).toEqual(["Upgrade requests from 2.19.0 to 2.20.0 in api/requirements.txt (line 3)", RUN_ONE]);
  });

  it("takes the advisory's fixed version when the dependency has none; no fixed version at all: no upgrade step", () => {
    expect(steps({ fixed_version: null })[0]).toBe("Upgrade requests from 2.19.0 to 2.20.0 in api/requirements.txt (line 3)");
    expect(run([makeDependency({ fixed_version: null, advisories: [adv("X-4", 7, { fixed_version: null })] })]).drafts[0].resolution_steps[0]).toBe(
      "No fixed version of requests is published for X-4: pin requests in api/requirements.txt to a version outside the affected range, if one exists",
    );
  });
});
