import { describe, expect, it } from "vitest";
import { discoverComponents, sanitizeComponentName, type ExtractedManifest } from "../../src/scan/components.js";
import type { ExtractedDependency, ManifestMeta, PackageManager } from "../../src/scan/types.js";
import type { ComponentConfig } from "../../src/config/schema.js";

function dep(file: string, manager: PackageManager, name: string, extra: Partial<ExtractedDependency> = {}): ExtractedDependency {
  return {
    name,
    package_manager: manager,
    datasource: manager === "docker" ? "docker" : "npm",
    file,
    line: 1,
    dependency_type: "prod",
    current_value: "1.0.0",
    version: "1.0.0",
    locked_version: null,
    registry_url: null,
    digest: null,
    skip_reason: null,
    local_path: null,
    component: "",
    ...extra,
  };
}

function manifest(
  path: string,
  manager: PackageManager,
  meta: Partial<ManifestMeta> = {},
  deps: Array<string | Partial<ExtractedDependency> & { name: string }> = [],
): ExtractedManifest {
  const primaryByDefault = !/Dockerfile|\.github\/|requirements|lock/.test(path);
  return {
    path,
    manager,
    result: {
      meta: { primary: primaryByDefault, ...meta },
      warnings: [],
      deps: deps.map((d) => (typeof d === "string" ? dep(path, manager, d) : dep(path, manager, d.name, d))),
    },
  };
}

const byName = (r: ReturnType<typeof discoverComponents>) => Object.fromEntries(r.components.map((c) => [c.name, c]));

describe("sanitizeComponentName", () => {
  it("lowercases and keeps [a-z0-9._-] only", () => {
    expect(sanitizeComponentName("@LeapfrogAI/UI")).toBe("leapfrogai-ui");
    expect(sanitizeComponentName("My Service  (v2)")).toBe("my-service-v2");
    expect(sanitizeComponentName("leapfrogai_api")).toBe("leapfrogai_api");
    expect(sanitizeComponentName("../../etc/passwd")).toBe("etc-passwd");
    expect(sanitizeComponentName("\u001b[31mred")).toBe("31mred");
    expect(sanitizeComponentName("日本")).toBe("");
  });
});

describe("discoverComponents: naming and nesting", () => {
  it("makes one component per directory with a primary manifest, named from the manifest", () => {
    const r = discoverComponents({
      repoName: "Mono Repo",
      manifests: [
        manifest("src/api/pyproject.toml", "pip", { name: "Leapfrog_API", version: "1.2.0" }, ["fastapi"]),
        manifest("src/api/requirements-dev.txt", "pip", {}, ["pytest"]),
        manifest("src/api/Dockerfile", "docker", {}, ["python"]),
        manifest("src/ui/package.json", "npm", { name: "@acme/web-ui" }, ["svelte"]),
        manifest("tools/misc/package.json", "npm", {}, []),
        manifest(".github/workflows/ci.yml", "github-actions", {}, ["actions/checkout"]),
        manifest("docker/Dockerfile", "docker", {}, ["alpine"]),
      ],
    });
    expect(r.components.map((c) => [c.name, c.path])).toEqual([
      ["mono-repo", "."],
      ["leapfrog_api", "src/api"],
      ["acme-web-ui", "src/ui"],
      ["misc", "tools/misc"],
    ]);
    const c = byName(r);
    expect(c["leapfrog_api"].manifests).toEqual(["src/api/Dockerfile", "src/api/pyproject.toml", "src/api/requirements-dev.txt"]);
    expect(c["leapfrog_api"].version).toBe("1.2.0");
    expect(c["mono-repo"].manifests).toEqual([".github/workflows/ci.yml", "docker/Dockerfile"]);
    expect(c["misc"].version).toBe("unknown");
    expect(r.dependencies.find((d) => d.name === "pytest")?.component).toBe("leapfrog_api");
    expect(r.dependencies.find((d) => d.name === "actions/checkout")?.component).toBe("mono-repo");
    expect(r.componentOf("src/api/sub/requirements.txt")).toBe("leapfrog_api");
  });

  it("names the root after the repository, else its manifest, else 'root'; workflows join it", () => {
    const withManifest = discoverComponents({ manifests: [manifest("pyproject.toml", "pip", { name: "Top" }), manifest(".github/workflows/a.yml", "github-actions")] });
    expect(withManifest.components.map((c) => c.name)).toEqual(["top"]);
    expect(withManifest.components[0].manifests).toEqual([".github/workflows/a.yml", "pyproject.toml"]);
    const bare = discoverComponents({ manifests: [manifest(".github/workflows/a.yml", "github-actions")] });
    expect(bare.components.map((c) => c.name)).toEqual(["root"]);
    const none = discoverComponents({ manifests: [manifest("a/package.json", "npm", { name: "a" })] });
    expect(none.components.map((c) => c.path)).toEqual(["a"]);
  });

  it("prefers language manifests for the name and skips templated versions", () => {
    const r = discoverComponents({
      manifests: [
        manifest("packages/whisper/zarf.yaml", "zarf", { name: "whisper", version: "###ZARF_PKG_TMPL_IMAGE_VERSION###" }),
        manifest("packages/whisper/pyproject.toml", "pip", { name: "lfai-whisper", version: "0.14.0" }),
        manifest("website/go.mod", "go", { name: "github.com/acme/site/v2" }),
      ],
    });
    expect(r.components.map((c) => [c.name, c.version])).toEqual([
      ["lfai-whisper", "0.14.0"],
      ["site", "unknown"],
    ]);
  });

  it("disambiguates duplicate names with the path, keeping the root's", () => {
    const r = discoverComponents({
      repoName: "leapfrogai",
      manifests: [
        manifest("packages/vllm/chart/Chart.yaml", "helm", { name: "leapfrogai-model" }),
        manifest("packages/whisper/chart/Chart.yaml", "helm", { name: "leapfrogai-model" }),
        manifest("bundles/dev/uds-bundle.yaml", "uds", { name: "leapfrogai" }),
        manifest("pyproject.toml", "pip", { name: "leapfrogai" }),
        manifest("solo/package.json", "npm", { name: "unique" }),
      ],
    });
    expect(r.components.map((c) => c.name).sort()).toEqual([
      "bundles-dev",
      "leapfrogai",
      "packages-vllm-chart",
      "packages-whisper-chart",
      "unique",
    ]);
  });
});

describe("discoverComponents: types", () => {
  const typeOf = (manifests: ExtractedManifest[], name: string, files?: string[]) =>
    byName(discoverComponents({ manifests, files, repoName: "repo" }))[name]?.type;

  it("applies the heuristics in order", () => {
    expect(typeOf([manifest("src/leapfrogai_ui/package.json", "npm", { name: "x" }, ["react"])], "x")).toBe("ui");
    expect(typeOf([manifest("apps/frontend/package.json", "npm", { name: "shop" }, [])], "shop")).toBe("ui");
    expect(typeOf([manifest("apps/site/package.json", "npm", { name: "kit" }, [{ name: "@sveltejs/kit", dependency_type: "dev" }])], "kit")).toBe("ui");
    expect(typeOf([manifest("src/leapfrogai_sdk/pyproject.toml", "pip", { name: "leapfrogai-sdk" }, ["grpcio"])], "leapfrogai-sdk")).toBe("sdk");
    expect(typeOf([manifest("libs/api-client/package.json", "npm", { name: "api-client" }, ["axios"])], "api-client")).toBe("sdk");
    expect(typeOf([manifest("svc/pyproject.toml", "pip", { name: "svc" }, ["FastAPI"])], "svc")).toBe("api");
    expect(typeOf([manifest("svc/Cargo.toml", "cargo", { name: "gateway" }, ["axum"])], "gateway")).toBe("api");
    expect(typeOf([manifest("svc/pyproject.toml", "pip", { name: "tooling" }, [{ name: "flask", dependency_type: "dev" }])], "tooling")).toBe("backend");
    expect(typeOf([manifest("src/leapfrogai_api/pyproject.toml", "pip", { name: "leapfrogai-api" }, [])], "leapfrogai-api")).toBe("api");
    expect(typeOf([manifest("packages/api/chart/Chart.yaml", "helm", { name: "api" })], "api")).toBe("infrastructure");
    expect(typeOf([manifest("packages/api/zarf.yaml", "zarf", { name: "leapfrogai-api" })], "leapfrogai-api")).toBe("infrastructure");
    expect(typeOf([manifest("deploy/tools/package.json", "npm", { name: "cdk" }, [])], "cdk")).toBe("infrastructure");
    expect(typeOf([manifest("ops/package.json", "npm", { name: "ops" }, [])], "ops", ["ops/package.json", "ops/main.tf"])).toBe("infrastructure");
    expect(typeOf([manifest("build/package.json", "npm", { name: "builder" }, [])], "builder")).toBe("backend");
    expect(typeOf([manifest("worker/go.mod", "go", { name: "example.com/worker" }, [])], "worker")).toBe("backend");
  });

  it("lets config components define membership and type, and win over discovery", () => {
    const configComponents: ComponentConfig[] = [
      { name: "Platform", paths: ["services/**"], type: "backend", depends_on: ["sdk-py"] },
      { name: "sdk-py", paths: ["libs/sdk"], depends_on: [] },
      { name: "orphan", paths: ["nothing/**"], depends_on: ["ghost"] },
    ];
    const r = discoverComponents({
      configComponents,
      manifests: [
        manifest("services/api/pyproject.toml", "pip", { name: "api" }, ["fastapi"]),
        manifest("services/ui/package.json", "npm", { name: "ui" }, ["react"]),
        manifest("libs/sdk/pyproject.toml", "pip", { name: "whatever" }, []),
        manifest("libs/sdk/sub/requirements.txt", "pip", {}, ["requests"]),
        manifest("other/package.json", "npm", { name: "platform" }, []),
      ],
    });
    const c = byName(r);
    expect(Object.keys(c).sort()).toEqual(["Platform", "orphan", "other", "sdk-py"]);
    expect(c["Platform"].type).toBe("backend");
    expect(c["Platform"].path).toBe("services");
    expect(c["Platform"].manifests).toEqual(["services/api/pyproject.toml", "services/ui/package.json"]);
    expect(c["sdk-py"].manifests).toEqual(["libs/sdk/pyproject.toml", "libs/sdk/sub/requirements.txt"]);
    expect(c["sdk-py"].type).toBe("sdk");
    expect(c["Platform"].dependencies).toEqual(["sdk-py"]);
    expect(c["sdk-py"].dependent_components).toEqual(["Platform"]);
    expect(r.warnings).toEqual([expect.objectContaining({ manager: "components", message: expect.stringMatching(/unknown component "ghost"/) })]);
  });
});

describe("discoverComponents: links between components", () => {
  it("links path deps, workspace deps, Dockerfile FROM and zarf images both ways, without self-links", () => {
    const r = discoverComponents({
      repoName: "repo",
      manifests: [
        manifest("src/sdk/pyproject.toml", "pip", { name: "acme-sdk" }),
        manifest("src/api/pyproject.toml", "pip", { name: "acme-api" }, [{ name: "acme-sdk", local_path: "src/sdk", current_value: "../sdk" }]),
        manifest("src/api/Dockerfile", "docker", {}, [
          { name: "ghcr.io/acme/acme-sdk", datasource: "docker", current_value: "1.0" },
          { name: "ghcr.io/acme/acme-api", datasource: "docker" }, // itself: no self-link
          { name: "python", datasource: "docker" },
        ]),
        manifest("web/package.json", "npm", { name: "@acme/web" }, [{ name: "@acme/ui-kit", current_value: "workspace:*" }]),
        manifest("kit/package.json", "npm", { name: "@acme/ui-kit" }),
        manifest("packages/api/zarf.yaml", "zarf", { name: "api-pkg" }, [
          { name: "registry.example.com/team/server", datasource: "docker", package_manager: "zarf" },
          { name: "chart:acme", local_path: "packages/api/chart", package_manager: "zarf" },
        ]),
        manifest("packages/api/chart/Chart.yaml", "helm", { name: "acme-chart" }),
        manifest("server/Cargo.toml", "cargo", { name: "server-bin", images_built: ["registry.example.com/team/server:latest"] }),
      ],
    });
    const c = byName(r);
    expect(c["acme-api"].dependencies).toEqual(["acme-sdk"]);
    expect(c["acme-sdk"].dependent_components).toEqual(["acme-api"]);
    expect(c["acme-web"].dependencies).toEqual(["acme-ui-kit"]);
    expect(c["acme-ui-kit"].dependent_components).toEqual(["acme-web"]);
    expect(c["api-pkg"].dependencies).toEqual(["acme-chart", "server-bin"]);
    expect(c["server-bin"].dependent_components).toEqual(["api-pkg"]);
    expect(c["server-bin"].meta.images_built).toEqual(["registry.example.com/team/server:latest"]);
    for (const comp of r.components) {
      expect(comp.dependencies).not.toContain(comp.name);
      expect(comp.dependent_components).not.toContain(comp.name);
    }
  });

  it("links nothing on an ambiguous image name", () => {
    const r = discoverComponents({
      manifests: [
        manifest("a/worker/package.json", "npm", { name: "worker" }),
        manifest("b/worker/package.json", "npm", { name: "worker" }),
        manifest("c/Dockerfile", "docker", {}, [{ name: "ghcr.io/x/worker", datasource: "docker" }]),
      ],
    });
    expect(r.components.every((c) => c.dependencies.length === 0)).toBe(true);
  });
});

describe("discoverComponents: collisions between a project and its deployment package", () => {
  it("lets the one language-manifest component keep the name", () => {
    const r = discoverComponents({
      manifests: [
        manifest("src/leapfrogai_api/pyproject.toml", "pip", { name: "leapfrogai-api" }),
        manifest("packages/api/zarf.yaml", "zarf", { name: "leapfrogai-api" }),
        manifest("leapfrogai-api/Chart.yaml", "helm", { name: "leapfrogai-api" }),
      ],
    });
    expect(r.components.map((c) => [c.path, c.name])).toEqual([
      ["leapfrogai-api", "leapfrogai-api-2"],
      ["packages/api", "packages-api"],
      ["src/leapfrogai_api", "leapfrogai-api"],
    ]);
  });
});

describe("discoverComponents: image names shared by several manifests", () => {
  it("links to the component that carries the name", () => {
    const r = discoverComponents({
      manifests: [
        manifest("src/leapfrogai_ui/package.json", "npm", { name: "leapfrogai-ui" }),
        manifest("packages/ui/zarf.yaml", "zarf", { name: "leapfrogai-ui" }, [{ name: "ghcr.io/acme/leapfrogai-ui", datasource: "docker" }]),
        manifest("packages/ui/chart/Chart.yaml", "helm", { name: "leapfrogai-ui" }),
      ],
    });
    expect(byName(r)["packages-ui"].dependencies).toEqual(["leapfrogai-ui"]);
  });
});
