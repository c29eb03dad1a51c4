import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { updateManifest, updaterFor } from "../../../src/act/github/updaters/index.js";
import type { UpdateTarget } from "../../../src/act/github/updaters/index.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/github-pr/manifests");
const read = (f: string): string => readFileSync(path.join(dir, f), "utf8");

function target(name: string, line: number | null, pm = "npm", current = ""): UpdateTarget {
  return { name, line, package_manager: pm, current_value: current, version: current };
}

/** Apply the update and return the changed lines as [before, after] pairs; fail on error. */
function changed(file: string, dep: UpdateTarget, newVersion: string): Array<[string, string]> {
  const before = read(file);
  const r = updateManifest(file, before, dep, newVersion);
  if ("error" in r) throw new Error(r.error);
  const a = before.split("\n");
  const b = r.content.split("\n");
  expect(b.length).toBe(a.length);
  return a.flatMap((l, i) => (l === b[i] ? [] : [[l, b[i]] as [string, string]]));
}

function errorOf(file: string, dep: UpdateTarget, newVersion: string, content = read(file)): string {
  const r = updateManifest(file, content, dep, newVersion);
  if (!("error" in r)) throw new Error("expected an error");
  return r.error;
}

describe("package.json", () => {
  it("keeps the range prefix and edits only the targeted line", () => {
    expect(changed("package.json", target("lodash", 4), "4.17.21")).toEqual([['    "lodash": "^4.17.20",', '    "lodash": "^4.17.21",']]);
    expect(changed("package.json", target("lodash", 13), "4.17.21")).toEqual([['    "lodash": "^4.17.20"', '    "lodash": "^4.17.21"']]);
    expect(changed("package.json", target("left-pad", 5), "1.3.0")[0][1]).toBe('    "left-pad": "~1.3.0",');
    expect(changed("package.json", target("react", 6), "18.2.0")[0][1]).toBe('    "react": ">=18.2.0",');
    expect(changed("package.json", target("exact", 7), "v2.1.0")[0][1]).toBe('    "exact": "2.1.0",');
    expect(changed("package.json", target("real-pkg", 9), "1.4.0")[0][1]).toBe('    "aliased": "npm:real-pkg@^1.4.0"');
  });
  it("refuses complex ranges, ambiguity and missing declarations", () => {
    expect(errorOf("package.json", target("complex", 8), "3.1.0")).toMatch(/package\.json:8: .*not a simple version/);
    expect(errorOf("package.json", target("lodash", null), "4.17.21")).toMatch(/declared 2 times \(lines 4, 13\)/);
    expect(errorOf("package.json", target("nope", 4), "1.0.0")).toMatch(/package\.json:4: declaration of "nope" not found/);
    expect(errorOf("package.json", target("nope", null), "1.0.0")).toMatch(/not found/);
    expect(errorOf("package.json", target("lodash", 4), "1.0.0", "{ not json")).toMatch(/not valid JSON/);
  });
});

describe("requirements.txt", () => {
  it("rewrites == pins and >= / ~= lower bounds, keeping extras, markers, comments and CRLF", () => {
    const before = read("requirements.txt");
    const r = updateManifest("requirements.txt", before, target("requests", 1, "pip"), "2.31.0");
    expect("content" in r && r.content.split("\r\n")[0]).toBe("requests==2.31.0  # pinned for CVE");
    expect("content" in r && r.content.split("\r\n").slice(1)).toEqual(before.split("\r\n").slice(1));
    const flask = updateManifest("requirements.txt", before, target("Flask", 2, "pip"), "2.3.3");
    expect("content" in flask && flask.content.split("\r\n")[1]).toBe('flask[async]>=2.3.3,<3 ; python_version >= "3.8"');
    const u3 = updateManifest("requirements.txt", before, target("urllib3", 3, "pip"), "1.26.18");
    expect("content" in u3 && u3.content.split("\r\n")[2]).toBe("urllib3~=1.26.18");
    const np = updateManifest("requirements.txt", before, target("numpy", 5, "pip"), "1.4.2");
    expect("content" in np && np.content.split("\r\n")[4]).toBe("numpy==1.4.*");
  });
  it("refuses a version above an upper bound, hash pins and missing declarations", () => {
    expect(errorOf("requirements.txt", target("flask", 2, "pip"), "3.0.0")).toMatch(/requirements\.txt:2: 3\.0\.0 is excluded/);
    expect(errorOf("requirements.txt", target("hashed", 4, "pip"), "1.1")).toMatch(/hash-pinned/);
    expect(errorOf("requirements.txt", target("django", null, "pip"), "4.0")).toMatch(/declaration of "django" not found/);
  });
});

describe("pyproject.toml", () => {
  it("rewrites PEP 621 strings with their quotes and comments", () => {
    expect(changed("pyproject.toml", target("fastapi", 4, "pip"), "0.110.0")).toEqual([['    "fastapi>=0.100.0",   # web', '    "fastapi>=0.110.0",   # web']]);
    expect(changed("pyproject.toml", target("pydantic", 5, "pip"), "2.6.1")[0][1]).toBe("    'pydantic[email]==2.6.1',");
    expect(changed("pyproject.toml", target("pytest", 9, "pip"), "8.0.0")[0][1]).toBe('dev = ["pytest>=8.0.0"]');
  });
  it("rewrites Poetry strings, inline tables and dependency tables", () => {
    expect(changed("pyproject.toml", target("httpx", 13, "pip"), "0.27.0")[0][1]).toBe('httpx = "^0.27.0"');
    expect(changed("pyproject.toml", target("uvicorn", 14, "pip"), "0.27.1")[0][1]).toBe('uvicorn = { version = "~0.27.1", extras = ["standard"] }');
    expect(changed("pyproject.toml", target("sqlalchemy", 16, "pip"), "2.0.25")).toEqual([['version = "2.0.1"', 'version = "2.0.25"']]);
  });
  it("reports a missing declaration", () => {
    expect(errorOf("pyproject.toml", target("flask", 4, "pip"), "3.0.0")).toMatch(/pyproject\.toml:4: declaration of "flask" not found/);
  });
});

describe("Cargo.toml", () => {
  it("rewrites strings, inline tables, renamed deps, [dependencies.x] tables and workspace deps", () => {
    expect(changed("Cargo.toml", target("serde", 6, "cargo"), "1.0.190")[0][1]).toBe('serde = "1.0.190"');
    expect(changed("Cargo.toml", target("tokio", 7, "cargo"), "1.35.0")[0][1]).toBe('tokio = { version = "~1.35.0", features = ["full"] }');
    expect(changed("Cargo.toml", target("log", 8, "cargo"), "0.4.20")[0][1]).toBe('my-log = { package = "log", version = "0.4.20" }');
    expect(changed("Cargo.toml", target("regex", 11, "cargo"), "1.10.2")).toEqual([['version = "=1.9.0"', 'version = "=1.10.2"']]);
    expect(changed("Cargo.toml", target("anyhow", 16, "cargo"), "1.0.79")[0][1]).toBe('anyhow = "^1.0.79" # error handling');
  });
  it("refuses path dependencies and missing ones", () => {
    expect(errorOf("Cargo.toml", target("local", 9, "cargo"), "1.0.0")).toMatch(/Cargo\.toml:9: .*workspace\/path\/git\/url/);
    expect(errorOf("Cargo.toml", target("rand", null, "cargo"), "1.0.0")).toMatch(/"rand" not found/);
  });
});

describe("go.mod", () => {
  it("rewrites single and block requirements, keeping comments", () => {
    expect(changed("go.mod", target("github.com/pkg/errors", 5, "go"), "v0.9.2")[0][1]).toBe("require github.com/pkg/errors v0.9.2");
    expect(changed("go.mod", target("golang.org/x/net", 8, "go"), "0.23.0")[0][1]).toBe("\tgolang.org/x/net v0.23.0 // indirect");
    expect(changed("go.mod", target("github.com/foo/bar/v2", 10, "go"), "v2.3.0")[0][1]).toBe("\tgithub.com/foo/bar/v2 v2.3.0");
    expect(changed("go.mod", target("go", 3, "go"), "1.22")[0][1]).toBe("go 1.22");
  });
  it("refuses major versions that change the module path, and replace lines", () => {
    expect(errorOf("go.mod", target("github.com/gorilla/mux", 9, "go"), "v2.0.0")).toMatch(/go\.mod:9: .*new major version/);
    expect(errorOf("go.mod", target("golang.org/x/net", 13, "go"), "v0.23.0")).toMatch(/go\.mod:13: declaration/);
  });
});

describe("Dockerfile", () => {
  it("rewrites FROM tags, keeping flags and stage names", () => {
    expect(changed("Dockerfile", target("node", 3, "docker"), "20.11-alpine")[0][1]).toBe("FROM --platform=$BUILDPLATFORM node:20.11-alpine AS build");
  });
  it("rewrites the ARG default when the tag is a variable", () => {
    expect(changed("Dockerfile", target("python", 5, "docker"), "3.12-slim")).toEqual([["ARG PY_VERSION=3.11-slim", "ARG PY_VERSION=3.12-slim"]]);
  });
  it("refuses a digest pin without a digest, but accepts a new digest", () => {
    expect(errorOf("Dockerfile", target("ghcr.io/org/tool", 6, "docker"), "1.1")).toMatch(/Dockerfile:6: .*pinned by digest/);
    const d = `sha256:${"f".repeat(64)}`;
    expect(changed("Dockerfile", target("ghcr.io/org/tool", 6, "docker"), d)[0][1]).toBe(`FROM ghcr.io/org/tool:1.0@${d} AS tool`);
    expect(errorOf("Dockerfile", target("alpine", 3, "docker"), "3.19")).toMatch(/Dockerfile:3: declaration of "alpine" not found/);
  });
});

describe("workflow uses:", () => {
  const wf = ".github/workflows/ci.yml";
  it("rewrites refs keeping precision, quotes, sub-paths and comments", () => {
    expect(changed(wf, target("actions/checkout", 8, "github-actions"), "v4.1.1")[0][1]).toBe("      - uses: actions/checkout@v4 # keep");
    expect(changed(wf, target("actions/setup-node", 9, "github-actions"), "v4.0.2")[0][1]).toBe('      - uses: "actions/setup-node@v4.0.2"');
    expect(changed(wf, target("github/codeql-action", 10, "github-actions"), "v3.24.0")[0][1]).toBe("      - uses: github/codeql-action/init@v3");
    expect(changed(wf, target("node", 6, "docker"), "20.11")[0][1]).toBe('    container: "node:20.11"');
  });
  it("refuses SHA pins without a SHA and reports a missing action", () => {
    expect(errorOf(wf, target("actions/cache", 11, "github-actions"), "v4")).toMatch(/ci\.yml:11: .*commit SHA/);
    expect(errorOf(wf, target("actions/upload-artifact", 8, "github-actions"), "v4")).toMatch(/ci\.yml:8: uses: "actions\/upload-artifact" not found/);
  });
});

describe("Chart.yaml and zarf.yaml", () => {
  it("rewrites Chart.yaml dependency versions, keeping quotes, operators and comments", () => {
    expect(changed("Chart.yaml", target("postgresql", 5, "helm"), "13.2.0")[0][1]).toBe('    version: "~13.2.0"   # database');
    expect(changed("Chart.yaml", target("registry-1.docker.io/bitnamicharts/redis", 8, "helm"), "18.6.1")[0][1]).toBe("    version: 18.6.1");
    expect(errorOf("Chart.yaml", target("mysql", 5, "helm"), "1.0.0")).toMatch(/Chart\.yaml:5: chart "mysql" with a version not found/);
  });
  it("rewrites zarf images and charts", () => {
    expect(changed("zarf.yaml", target("ghcr.io/defenseunicorns/leapfrogai/api", 8, "zarf"), "0.14.0")[0][1]).toBe("      - ghcr.io/defenseunicorns/leapfrogai/api:0.14.0");
    expect(changed("zarf.yaml", target("docker.io/library/postgres", 9, "zarf"), "16.1")[0][1]).toBe('      - "docker.io/library/postgres:16.1"');
    expect(changed("zarf.yaml", target("ghcr.io/defenseunicorns/charts/api", 11, "zarf"), "0.14.0")[0][1]).toBe("        version: 0.14.0");
    expect(errorOf("zarf.yaml", target("ghcr.io/other/img", 8, "zarf"), "1.0")).toMatch(/zarf\.yaml:8: image "ghcr.io\/other\/img" not found/);
  });
});

describe("updateManifest", () => {
  it("routes by file name and refuses unknown files, hostile versions and no-op updates", () => {
    expect(updaterFor("a/b/package.json")?.kind).toBe("package.json");
    expect(updaterFor("svc/requirements-dev.txt")?.kind).toBe("requirements");
    expect(updaterFor("deploy/Dockerfile.prod")?.kind).toBe("Dockerfile");
    expect(updaterFor("README.md")).toBeNull();
    expect(errorOf("README.md", target("x", 1), "1.0.0", "hello")).toMatch(/README\.md: no updater/);
    expect(errorOf("package.json", target("lodash", 4), '1.0.0" evil')).toMatch(/refusing new version/);
    expect(errorOf("package.json", target("lodash", 4), "4.17.20")).toMatch(/already at 4\.17\.20/);
  });
  it("never throws on hostile content", () => {
    const hostile = ['"\u0000', "{{{{", "- [", "\"a\": \"${{ evil }}\"", "FROM $(rm -rf /)"];
    for (const file of ["package.json", "requirements.txt", "pyproject.toml", "Cargo.toml", "go.mod", "Dockerfile", ".github/workflows/x.yml", "Chart.yaml", "zarf.yaml"]) {
      for (const content of hostile) {
        const r = updateManifest(file, content, target("a", 1), "1.0.0");
        expect("error" in r, `${file} ${JSON.stringify(content)}`).toBe(true);
      }
    }
  });
});

describe("zarf.yaml chart whose version is a Zarf template", () => {
  it("refuses with the chart's error and never rewrites the chart name as an image", () => {
    const content = [
      "kind: ZarfPackageConfig",
      "constants:",
      "  - name: PODINFO_VERSION",
      "    value: 6.4.0",
      "components:",
      "  - name: web",
      "    charts:",
      "      - name: podinfo",
      "        url: https://stefanprodan.github.io/podinfo",
      "        version: ###ZARF_CONST_PODINFO_VERSION###",
      "",
    ].join("\n");
    const r = updateManifest("zarf.yaml", content, target("podinfo", 8, "zarf"), "6.5.0");
    expect("error" in r).toBe(true);
    if ("error" in r) expect(r.error).not.toMatch(/not found/);
  });
});
