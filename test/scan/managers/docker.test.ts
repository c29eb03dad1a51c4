import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  dockerManager,
  isDockerfile,
  parseDockerfileInstructions,
  parseDotEnv,
  substituteVariables,
} from "../../../src/scan/managers/docker.js";
import { CORPUS, corpusFiles, corpusReposAvailable } from "../../helpers/corpus.js";
import type { ExtractContext, ExtractedDependency } from "../../../src/scan/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, "../../fixtures/scan/docker");
const SHA = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

function ctxFor(files: Record<string, string> = {}): ExtractContext {
  return { readFile: (p) => files[p], allFiles: Object.keys(files) };
}
function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), "utf8");
}
function byName(deps: ExtractedDependency[], name: string): ExtractedDependency {
  const d = deps.find((x) => x.name === name);
  if (!d) throw new Error(`no dependency ${name} in ${deps.map((x) => x.name).join(", ")}`);
  return d;
}

describe("dockerManager.matches", () => {
  it("matches Dockerfiles, Containerfiles and compose files", () => {
    for (const p of ["Dockerfile", "a/b/Dockerfile", "Dockerfile.migrations", "web.Dockerfile", "x/api.dockerfile", "Containerfile", "docker-compose.yml", "docker-compose.prod.yaml", "deploy/compose.yaml", "compose.override.yml"]) {
      expect(dockerManager.matches(p), p).toBe(true);
    }
    for (const p of ["Dockerfile.dockerignore", "docs/Dockerfile.md", "Dockerfiles/readme.txt", "composer.json", "my-compose.yaml", "src/docker.ts"]) {
      expect(dockerManager.matches(p), p).toBe(false);
    }
  });

  it("names the .env next to a compose file as companion", () => {
    expect(dockerManager.companions?.("deploy/compose.yaml")).toEqual(["deploy/.env"]);
    expect(dockerManager.companions?.("docker-compose.yml")).toEqual([".env"]);
    expect(dockerManager.companions?.("Dockerfile")).toEqual([]);
  });
});

describe("Dockerfile extraction", () => {
  const file = "services/app/Dockerfile.multistage";
  const result = dockerManager.extract(file, fixture("Dockerfile.multistage"), ctxFor());
  const deps = result.deps;

  it("reports no warnings and is not a primary manifest", () => {
    expect(result.warnings).toEqual([]);
    expect(result.meta).toEqual({ primary: false });
  });

  it("substitutes global ARG defaults in FROM, ignoring --platform", () => {
    const py = byName(deps, "python");
    expect(py).toMatchObject({
      current_value: "3.11-slim",
      version: "3.11-slim",
      registry_url: "docker.io",
      datasource: "docker",
      package_manager: "docker",
      file,
      line: 11,
      dependency_type: "build",
      component: "",
    });
    expect(byName(deps, "node").current_value).toBe("20.11-alpine");
  });

  it("applies ${VAR:-default} when the ARG has no value", () => {
    expect(byName(deps, "debian").current_value).toBe("bookworm-slim");
  });

  it("marks unresolved variables as skipped", () => {
    const priv = deps.find((d) => d.name.includes("${REGISTRY}"));
    expect(priv?.skip_reason).toBe("unresolved variable");
  });

  it("joins line continuations and keeps the digest", () => {
    const go = byName(deps, "golang");
    expect(go).toMatchObject({ current_value: "1.22", digest: SHA, line: 20 });
  });

  it("skips scratch, stage references and numeric COPY --from", () => {
    const names = deps.map((d) => d.name);
    expect(names).not.toContain("scratch");
    expect(names).not.toContain("builder");
    expect(names).not.toContain("ui");
    expect(names).not.toContain("0");
  });

  it("extracts COPY --from images, with stage ARG substitution", () => {
    expect(byName(deps, "ghcr.io/astral-sh/uv")).toMatchObject({ current_value: "0.4.0", registry_url: "ghcr.io", dependency_type: "build" });
    expect(byName(deps, "busybox")).toMatchObject({ current_value: "1.36" });
  });

  it("ignores heredoc bodies and marks the final stage prod", () => {
    expect(deps.map((d) => d.name)).not.toContain("not-an-instruction");
    expect(byName(deps, "gcr.io/distroless/python3-debian12")).toMatchObject({ current_value: "", version: "", dependency_type: "prod", notes: ["untagged: the registry's default tag is pulled"] });
    expect(deps.filter((d) => d.dependency_type === "prod")).toHaveLength(1);
  });

  it("extracts exactly the expected external images", () => {
    expect(deps.map((d) => d.name).sort()).toEqual(
      ["${REGISTRY}/base:1.0", "busybox", "debian", "docker/dockerfile", "gcr.io/distroless/python3-debian12", "ghcr.io/astral-sh/uv", "golang", "node", "python"].sort(),
    );
  });

  it("the # syntax= parser directive is an image dependency (the BuildKit frontend), with its span", () => {
    const text = fixture("Dockerfile.multistage");
    const syntax = byName(deps, "docker/dockerfile");
    expect(syntax).toMatchObject({ current_value: "1.7", line: 1, dependency_type: "build", group: "syntax", datasource: "docker", registry_url: "docker.io" });
    const sp = syntax.value_span!;
    expect(text.split("\n")[0].slice(sp.start_column, sp.end_column)).toBe("1.7");
  });

  it("honours the backtick escape directive", () => {
    const r = dockerManager.extract("Containerfile", fixture("Containerfile"), ctxFor());
    expect(r.warnings).toEqual([]);
    expect(r.deps).toHaveLength(1);
    expect(r.deps[0]).toMatchObject({ name: "mcr.microsoft.com/windows/servercore", current_value: "ltsc2022", registry_url: "mcr.microsoft.com", line: 3 });
  });

  it("warns with line numbers on malformed instructions and keeps going", () => {
    const r = dockerManager.extract("Dockerfile.broken", fixture("Dockerfile.broken"), ctxFor());
    const lines = r.warnings.map((w) => w.line);
    expect(lines).toEqual([2, 3, 4]);
    expect(r.warnings[0].message).toMatch(/FROM without an image/);
    expect(r.warnings.every((w) => w.file === "Dockerfile.broken" && w.manager === "docker")).toBe(true);
    expect(r.warnings[2].message).toMatch(/unexpected text after the image/);
    expect(r.deps.map((d) => d.skip_reason)).toEqual(["invalid image reference", null]);
    expect(r.deps[1]).toMatchObject({ name: "alpine", current_value: "bad", line: 4 });
  });

  it("never throws on hostile input", () => {
    const hostile = ["FROM ${", "FROM $", "ARG \"unterminated\nFROM x:${A:-${B:-${C:-1}}}", "\u0000\u0001FROM \u0007", "FROM a:b \\", "x".repeat(100000)];
    for (const h of hostile) {
      expect(() => dockerManager.extract("Dockerfile", h, ctxFor())).not.toThrow();
    }
    const nested = dockerManager.extract("Dockerfile", "FROM x:${A:-${B:-1.2}}", ctxFor());
    expect(nested.deps[0].current_value).toBe("1.2");
  });
});

describe("substituteVariables and instruction parsing", () => {
  it("handles the supported forms", () => {
    const vars = new Map<string, string | undefined>([["A", "1"], ["E", ""], ["U", undefined]]);
    expect(substituteVariables("$A-${A}-${E:-d}-${E-d}-${A:+set}-${U:+set}", vars).value).toBe("1-1-d--set-");
    expect(substituteVariables("${U}", vars).unresolved).toEqual(["U"]);
    expect(substituteVariables("\\$A", vars).value).toBe("$A");
    expect(substituteVariables("$$A", vars, null).value).toBe("$A");
  });

  it("reports the starting line of continued instructions", () => {
    const { instructions } = parseDockerfileInstructions("# syntax=x\n\nFROM a \\\n  AS b\nRUN x");
    expect(instructions).toEqual([
      { keyword: "FROM", args: "a AS b", line: 3 },
      { keyword: "RUN", args: "x", line: 5 },
    ]);
  });

  it("reads .env files", () => {
    expect([...parseDotEnv("A=1\n# c\nexport B=\"two words\"\nC=3 # trailing\n")]).toEqual([["A", "1"], ["B", "two words"], ["C", "3"]]);
  });
});

describe("docker-compose extraction", () => {
  const file = "deploy/docker-compose.yml";
  const result = dockerManager.extract(file, fixture("docker-compose.yml"), ctxFor({ "deploy/.env": fixture(".env") }));

  it("extracts service images with line numbers", () => {
    expect(result.warnings).toEqual([]);
    expect(byName(result.deps, "postgres")).toMatchObject({ current_value: "16.2", line: 3, dependency_type: "prod" });
    expect(byName(result.deps, "nginx")).toMatchObject({ digest: SHA, line: 10 });
  });

  it("interpolates defaults and the .env companion; unresolved variables are skipped", () => {
    expect(byName(result.deps, "redis")).toMatchObject({ current_value: "7.2-alpine", skip_reason: null });
    expect(byName(result.deps, "docker.elastic.co/elasticsearch/elasticsearch")).toMatchObject({ current_value: "8.13.0", skip_reason: null });
    expect(result.deps.find((d) => d.name === "${WORKER_IMAGE}")?.skip_reason).toBe("unresolved variable");
  });

  it("treats build: services as images built, not dependencies", () => {
    expect(result.deps.map((d) => d.name)).not.toContain("ghcr.io/example/api");
    expect(result.meta).toEqual({ primary: false, images_built: ["ghcr.io/example/api:dev"] });
    expect(result.deps).toHaveLength(5);
  });

  it("warns on a wrong shape and on invalid YAML, naming file and line", () => {
    const shape = dockerManager.extract("compose.broken.yaml", fixture("compose.broken.yaml"), ctxFor());
    expect(shape.deps).toEqual([]);
    expect(shape.warnings).toEqual([
      { file: "compose.broken.yaml", line: 1, manager: "docker", message: expect.stringMatching(/services.*map.*list/) },
    ]);
    const invalid = dockerManager.extract("compose.invalid.yaml", fixture("compose.invalid.yaml"), ctxFor());
    expect(invalid.warnings.length).toBeGreaterThan(0);
    expect(invalid.warnings[0]).toMatchObject({ file: "compose.invalid.yaml", manager: "docker" });
    expect(invalid.warnings[0].line).toBeGreaterThanOrEqual(3);
  });
});


const corpusExists = corpusReposAvailable("docker");

describe.skipIf(!corpusExists)("docker manager over the corpus", () => {
  it("extracts every external FROM of every Dockerfile without warnings", () => {
    const repos = path.join(CORPUS, "repos");
    // Dockerfiles only: compose files (added to the corpus later) have no FROM lines to count.
    const files = corpusFiles((f) => dockerManager.matches(f) && isDockerfile(f));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      const content = readFileSync(path.join(repos, f), "utf8");
      const r = dockerManager.extract(f, content, ctxFor());
      expect(r.warnings, f).toEqual([]);
      // Independent count: FROM lines whose image is neither scratch nor an earlier stage.
      const stages = new Set<string>();
      const expected: number[] = [];
      content.split("\n").forEach((line, i) => {
        const words = line.trim().split(/\s+/);
        if (words[0]?.toUpperCase() !== "FROM") return;
        const args = words.slice(1).filter((w) => !w.startsWith("--"));
        if (args[0] !== "scratch" && !stages.has(args[0].toLowerCase())) expected.push(i + 1);
        if (args[1]?.toLowerCase() === "as") stages.add(args[2].toLowerCase());
      });
      expect(r.deps.filter((d) => d.group !== "syntax").map((d) => d.line), f).toEqual(expected);
      // A `# syntax=` directive on the first lines is one more image.
      const directive = /^#\s*syntax\s*=/im.test(content.split("\n").slice(0, 5).join("\n"));
      expect(r.deps.filter((d) => d.group === "syntax").length, f).toBe(directive ? 1 : 0);
      for (const d of r.deps) {
        if (d.skip_reason === null) expect(d.current_value, `${f}:${d.line}`).not.toMatch(/\$/);
      }
    }
  });
});
