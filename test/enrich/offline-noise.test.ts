import { describe, expect, it } from "vitest";
import { createHttpClient, HttpClient } from "../../src/enrich/http.js";
import { enrichDependencies } from "../../src/enrich/index.js";
import { DatasourceError } from "../../src/enrich/types.js";
import { assertSafeUrl, HostUnreachableError, UnsafeUrlError } from "../../src/enrich/url-guard.js";
import { formatAssessmentTable } from "../../src/cli/format/assessment-table.js";
import { assess } from "../../src/assess/index.js";
import { defaultConfig } from "../../src/config/schema.js";
import { dep, scanOf } from "./helpers-enrich.js";

const NOW = new Date("2026-01-31T00:00:00Z");
const noDns = async (host: string): Promise<never> => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
};

describe("a scan without network (issue 10, item 8)", () => {
  it("an unresolvable host is a network condition, not a guard refusal", async () => {
    const err = await assertSafeUrl("https://pypi.org/pypi/x/json", { resolve: noDns, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect(err).not.toBeInstanceOf(UnsafeUrlError);
    expect((err as Error).message).toBe("cannot resolve pypi.org (ENOTFOUND)");
  });

  it("each failed request names its own URL, even though one DNS check answers for the host", async () => {
    const http = new HttpClient({ resolve: noDns, retries: 0 });
    const first = await http.getJson("https://pypi.org/pypi/requests/json").catch((e: unknown) => e);
    const second = await http.getJson("https://pypi.org/pypi/pytest/json").catch((e: unknown) => e);
    expect(second).toBeInstanceOf(DatasourceError);
    expect((second as Error).message).toBe("GET https://pypi.org/pypi/pytest/json: cannot resolve pypi.org (ENOTFOUND)");
    expect((second as Error).message).not.toMatch(/refusing|requests/);
    expect((first as DatasourceError).unreachableHost).toBe("pypi.org");
  });

  it("a refused URL still says refusing, naming the URL of this request", async () => {
    const http = new HttpClient({ resolve: async () => [{ address: "10.0.0.5", family: 4 }], retries: 0 });
    await http.getJson("https://internal.example/a").catch(() => undefined);
    const err = (await http.getJson("https://internal.example/b").catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^GET https:\/\/internal\.example\/b: refusing https:\/\/internal\.example\/b: internal\.example resolves to 10\.0\.0\.5/);
  });

  it("one warning per unreachable host with a count, not one per dependency; the summary says how many were not checked", async () => {
    const http = createHttpClient({ resolve: noDns, retries: 0 });
    const deps = [
      dep("requests", "2.31.0", { datasource: "pypi", file: "a/pyproject.toml", line: 3 }),
      dep("pytest", "8.0.0", { datasource: "pypi", file: "a/pyproject.toml", line: 4 }),
      dep("pytest", "8.0.0", { datasource: "pypi", file: "b/pyproject.toml", line: 4 }),
      dep("lodash", "4.17.21", { file: "package.json", line: 5 }),
    ];
    const scan = scanOf(deps);
    const enriched = await enrichDependencies(scan, { http, clock: () => NOW, advisories: null, registries: { npm: "https://registry.npmjs.org" } });
    const lines = enriched.warnings.map((w) => w.message);
    expect(lines).toEqual([
      "pypi.org could not be reached (cannot resolve pypi.org (ENOTFOUND)): 3 dependencies were not looked up",
      "registry.npmjs.org could not be reached (cannot resolve registry.npmjs.org (ENOTFOUND)): 1 dependency was not looked up",
    ]);
    const assessment = assess({ scan, dependencies: enriched.dependencies, previousIssues: [] }, defaultConfig(), () => NOW);
    const table = formatAssessmentTable({ ...assessment, warnings: enriched.warnings }, "memory");
    expect(table).toMatch(/\(0 vulnerable, 0 outdated, 4 not checked for advisories\)/);
    // Nothing was checked: no component may be called healthy.
    expect(assessment.components.every((c) => c.status !== "healthy")).toBe(true);
    // Warnings without a file are printed without a "-:" location.
    expect(table).toMatch(/^ {2}pypi\.org could not be reached/m);
  });
});
