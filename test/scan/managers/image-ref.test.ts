import { describe, expect, it } from "vitest";
import {
  imageDependency,
  parseImageRef,
  resolveRepoPath,
  splitImageRef,
} from "../../../src/scan/managers/image-ref.js";

const SHA = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

describe("parseImageRef", () => {
  it("defaults Docker Hub official images to docker.io/library", () => {
    const r = parseImageRef("python:3.11-slim");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.ref).toEqual({
      name: "python",
      registry: "docker.io",
      repository: "library/python",
      canonical: "docker.io/library/python",
      tag: "3.11-slim",
      digest: null,
    });
  });

  it("keeps user images on Docker Hub without library/", () => {
    const r = parseImageRef("bitnami/kubectl:1.30.3-debian-12-r4");
    expect(r.ok && r.ref.canonical).toBe("docker.io/bitnami/kubectl");
  });

  it("recognises registry hosts by dot, port or localhost", () => {
    const ghcr = parseImageRef("ghcr.io/defenseunicorns/leapfrogai/leapfrogai-sdk:0.14.0");
    expect(ghcr.ok && [ghcr.ref.registry, ghcr.ref.repository, ghcr.ref.name]).toEqual([
      "ghcr.io",
      "defenseunicorns/leapfrogai/leapfrogai-sdk",
      "ghcr.io/defenseunicorns/leapfrogai/leapfrogai-sdk",
    ]);
    const port = parseImageRef("localhost:5000/app:1");
    expect(port.ok && [port.ref.registry, port.ref.repository, port.ref.tag]).toEqual(["localhost:5000", "app", "1"]);
    const local = parseImageRef("localhost/app");
    expect(local.ok && local.ref.registry).toBe("localhost");
  });

  it("normalises Docker Hub aliases but keeps the name as written", () => {
    const r = parseImageRef("registry-1.docker.io/bitnamicharts/supabase");
    expect(r.ok && [r.ref.registry, r.ref.name, r.ref.tag]).toEqual(["docker.io", "registry-1.docker.io/bitnamicharts/supabase", null]);
    const lib = parseImageRef("docker.io/alpine");
    expect(lib.ok && lib.ref.repository).toBe("library/alpine");
  });

  it("parses tag and digest together, and digest alone", () => {
    const both = parseImageRef(`golang:1.22@${SHA}`);
    expect(both.ok && [both.ref.tag, both.ref.digest]).toEqual(["1.22", SHA]);
    const only = parseImageRef(`nginx@${SHA}`);
    expect(only.ok && [only.ref.tag, only.ref.digest]).toEqual([null, SHA]);
  });

  it("rejects invalid references with a reason", () => {
    expect(parseImageRef("").ok).toBe(false);
    const upper = parseImageRef("Invalid/UPPER:case");
    expect(upper.ok).toBe(false);
    expect(!upper.ok && upper.error).toMatch(/invalid/);
    expect(parseImageRef("alpine:bad tag").ok).toBe(false);
    expect(parseImageRef("alpine@sha256:xyz").ok).toBe(false);
    expect(parseImageRef("a".repeat(600)).ok).toBe(false);
  });
});

describe("splitImageRef", () => {
  it("splits on the tag colon after the last slash, not on a registry port", () => {
    expect(splitImageRef("localhost:5000/app")).toEqual({ name: "localhost:5000/app", tag: null, digest: null });
    expect(splitImageRef("ghcr.io/x/sdk:${LOCAL_VERSION}")).toEqual({ name: "ghcr.io/x/sdk", tag: "${LOCAL_VERSION}", digest: null });
  });
});

describe("imageDependency", () => {
  const base = { file: "Dockerfile", line: 3, package_manager: "docker" as const, dependency_type: "prod" as const };

  it("builds a docker dependency with tag as version and registry host", () => {
    const { dep, warning } = imageDependency("ghcr.io/org/app:1.2.3", base);
    expect(warning).toBeNull();
    expect(dep).toMatchObject({
      name: "ghcr.io/org/app",
      datasource: "docker",
      current_value: "1.2.3",
      version: "1.2.3",
      registry_url: "ghcr.io",
      digest: null,
      skip_reason: null,
      component: "",
      line: 3,
    });
  });

  it("reports an image without tag as untagged, never as latest", () => {
    const { dep } = imageDependency("redis", base);
    expect(dep).toMatchObject({ current_value: "", version: "", digest: null, notes: ["untagged: the registry's default tag is pulled"] });
    // An explicit :latest is what was written, and stays.
    expect(imageDependency("redis:latest", base).dep).toMatchObject({ current_value: "latest" });
    expect(imageDependency("redis:latest", base).dep.notes).toBeUndefined();
  });

  it("flags invalid references with a warning and skip_reason", () => {
    const { dep, warning } = imageDependency("Bad Image:1", base);
    expect(dep.skip_reason).toBe("invalid image reference");
    expect(warning).toMatch(/Bad Image/);
  });

  it("keeps the whole reference as name when a variable sits in the name", () => {
    const { dep } = imageDependency("${REGISTRY}/base:1.0", base, "unresolved variable");
    expect(dep).toMatchObject({ name: "${REGISTRY}/base:1.0", skip_reason: "unresolved variable", registry_url: null });
  });
});

describe("resolveRepoPath", () => {
  it("normalises relative paths against a directory", () => {
    expect(resolveRepoPath("bundles/dev/cpu", "../../../packages//vllm")).toBe("packages/vllm");
    expect(resolveRepoPath("packages/api/common", "../chart")).toBe("packages/api/chart");
    expect(resolveRepoPath(".", "./.github/actions/python")).toBe(".github/actions/python");
    expect(resolveRepoPath("a", "../../x")).toBe("../x");
  });
});
