/**
 * image-ref.ts helpers one behaviour per test (issue 18: mutation score of image-ref.ts). Expected
 * values follow the docker/distribution reference grammar and YAML 1.2, written out by hand.
 */
import { describe, expect, it } from "vitest";
import {
  GHA_EXPRESSION,
  UNTAGGED_NOTE,
  ZARF_TEMPLATE,
  asMap,
  asSeq,
  baseName,
  clip,
  dirOf,
  getNode,
  getPair,
  imageDependency,
  kindOf,
  lineOf,
  mapEntries,
  ociDependency,
  pairLine,
  parseImageRef,
  parseOciReference,
  parseYaml,
  resolveRepoPath,
  scalarText,
  splitImageRef,
} from "../../../src/scan/managers/image-ref.js";

const SHA = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const base = { file: "Dockerfile", line: 3, package_manager: "docker" as const, dependency_type: "prod" as const };
const err = (input: string) => {
  const r = parseImageRef(input);
  return r.ok ? null : r.error;
};
const root = (yaml: string) => parseYaml("x.yaml", yaml, "helm").docs[0].contents;

describe("parseImageRef errors", () => {
  it("names what is wrong", () => {
    expect(err("")).toBe("empty image reference");
    expect(err("   ")).toBe("empty image reference");
    expect(err("a".repeat(513))).toBe("image reference longer than 512 characters");
    expect(err("a".repeat(512))).toBeNull();
    expect(err("nginx@sha256:abc")).toBe('invalid digest "sha256:abc"');
    expect(err("nginx:-bad")).toBe('invalid tag "-bad"');
    expect(err(`nginx:${"t".repeat(129)}`)).toBe(`invalid tag "${"t".repeat(80)}…"`);
    expect(err(`nginx:${"t".repeat(128)}`)).toBeNull();
    expect(err("bad_host.io:x/app")).toBe('invalid registry host "bad_host.io:x"');
    expect(err("-bad.io/app")).toBe('invalid registry host "-bad.io"');
    expect(err("Host/app")).toBeNull();
    expect(err("org/App")).toBe('invalid image name "org/App"');
    expect(err("org//app")).toBe('invalid image name "org//app"');
  });

  it("digests: algorithm and at least 32 hex digits", () => {
    expect(err(`a@sha256:${"0".repeat(32)}`)).toBeNull();
    expect(err(`a@sha256:${"0".repeat(31)}`)).toBe(`invalid digest "sha256:${"0".repeat(31)}"`);
    expect(err(`a@sha256:${"A".repeat(32)}`)).toBeNull();
    expect(err(`a@:${"0".repeat(32)}`)).not.toBeNull();
    expect(err(`a@x${"0".repeat(32)}`)).not.toBeNull();
    expect(err(`a@sha256:${"0".repeat(32)}x`)).not.toBeNull();
    expect(err(`a@multihash+base58:${"0".repeat(32)}`)).toBeNull();
  });

  it("tags: word characters, dots and dashes, starting with a word character", () => {
    expect(err("a:1.0_rc-2")).toBeNull();
    expect(err("a:.x")).toBe('invalid tag ".x"');
    expect(err("a:x!")).toBe('invalid tag "x!"');
    expect(err("a:")).toBe('invalid tag ""');
  });

  it("path components: lower-case, separated by '.', '_', '__' or dashes, not at either end", () => {
    for (const ok of ["a.b/c", "a_b", "a__b", "a---b", "a0/b1/c2"]) expect(err(ok)).toBeNull();
    for (const bad of ["a___b", "_a", "a_", "a.", ".a/b", "a-", "a/B"]) expect(err(bad)).not.toBeNull();
  });

  it("registry hosts: a dot, a port, localhost or upper case in the first component; IPv6 in brackets", () => {
    const reg = (s: string) => {
      const r = parseImageRef(s);
      return r.ok ? [r.ref.registry, r.ref.repository] : r.error;
    };
    expect(reg("my.reg/app")).toEqual(["my.reg", "app"]);
    expect(reg("reg:5000/app")).toEqual(["reg:5000", "app"]);
    expect(reg("localhost/app")).toEqual(["localhost", "app"]);
    expect(reg("MyReg/app")).toEqual(["myreg", "app"]);
    expect(reg("[::1]:5000/app")).toEqual(["[::1]:5000", "app"]);
    expect(reg("org/app")).toEqual(["docker.io", "org/app"]);
    expect(reg("index.docker.io/org/app")).toEqual(["docker.io", "org/app"]);
    expect(reg("registry.hub.docker.com/app")).toEqual(["docker.io", "library/app"]);
    expect(reg("ghcr.io/app")).toEqual(["ghcr.io", "app"]);
    expect(reg("a.b-c.io:443/x")).toEqual(["a.b-c.io:443", "x"]);
    expect(reg("a-.io/x")).toBe('invalid registry host "a-.io"');
    expect(reg("a..io/x")).toBe('invalid registry host "a..io"');
    expect(reg("a.io:/x")).toBe('invalid registry host "a.io:"');
  });
});

describe("splitImageRef", () => {
  it("splits digest first, then the tag after the last '/'", () => {
    expect(splitImageRef(` reg:5000/a/b:1.0@${SHA} `)).toEqual({ name: "reg:5000/a/b", tag: "1.0", digest: SHA });
    expect(splitImageRef("reg:5000/a/b")).toEqual({ name: "reg:5000/a/b", tag: null, digest: null });
    expect(splitImageRef("a:1:2")).toEqual({ name: "a", tag: "1:2", digest: null });
    expect(splitImageRef("a@x@y")).toEqual({ name: "a", tag: null, digest: "x@y" });
  });
});

describe("imageDependency", () => {
  it("a valid reference: name as written, tag as value, registry and digest", () => {
    const { dep, warning } = imageDependency(` ghcr.io/o/app:1.2@${SHA} `, base);
    expect(warning).toBeNull();
    expect(dep).toMatchObject({ name: "ghcr.io/o/app", datasource: "docker", current_value: "1.2", version: "1.2", registry_url: "ghcr.io", digest: SHA, skip_reason: null, ...base });
    expect(dep.notes).toBeUndefined();
  });

  it("a digest-only pin has the digest as its value; an untagged one is noted, never 'latest'", () => {
    expect(imageDependency(`nginx@${SHA}`, base).dep).toMatchObject({ current_value: SHA, version: SHA, digest: SHA });
    expect(imageDependency(`nginx@${SHA}`, base).dep.notes).toBeUndefined();
    const untagged = imageDependency("nginx", base).dep;
    expect(untagged).toMatchObject({ current_value: "", version: "", digest: null, registry_url: "docker.io" });
    expect(untagged.notes).toEqual([UNTAGGED_NOTE]);
    expect(UNTAGGED_NOTE).toBe("untagged: the registry's default tag is pulled");
  });

  it("an invalid reference is skipped with a warning that quotes it", () => {
    const { dep, warning } = imageDependency("Org/App:1", base);
    expect(dep).toMatchObject({ name: "Org/App", current_value: "1", skip_reason: "invalid image reference", registry_url: null });
    expect(warning).toBe('invalid image name "Org/App" in image reference "Org/App:1"');
    const noName = imageDependency(":tag", base);
    expect(noName.dep.name).toBe(":tag");
    expect(noName.dep.current_value).toBe("tag");
    const noTag = imageDependency("Bad/App", base);
    expect(noTag.dep.current_value).toBe("");
  });

  it("with a skip reason: a variable in the tag keeps the name and its registry", () => {
    const { dep, warning } = imageDependency(`ghcr.io/o/app:\${TAG}@${SHA}`, base, "contains-variable");
    expect(warning).toBeNull();
    expect(dep).toMatchObject({ name: "ghcr.io/o/app", current_value: "${TAG}", registry_url: "ghcr.io", digest: SHA, skip_reason: "contains-variable" });
  });

  it("with a skip reason: a variable in the name keeps the whole reference, with no registry or digest", () => {
    for (const ref of [`$REG/app:1@${SHA}`, "{{ .Values.image }}:1", "###ZARF_PKG_TMPL_IMAGE###:1"]) {
      const { dep } = imageDependency(ref, base, "templated");
      expect(dep).toMatchObject({ name: ref, current_value: ref, registry_url: null, digest: null, skip_reason: "templated" });
    }
  });

  it("with a skip reason: an invalid name has no registry, an invalid digest is dropped, no tag is ''", () => {
    expect(imageDependency("Bad Name:1", base, "x").dep).toMatchObject({ name: "Bad Name", registry_url: null });
    expect(imageDependency("app@sha256:zz", base, "x").dep).toMatchObject({ digest: null, current_value: "" });
  });
});

describe("OCI references", () => {
  it("strips oci://, splits tag and digest, names the registry", () => {
    expect(parseOciReference(` oci://ghcr.io/o/pkg:1.0@${SHA}`)).toEqual({ name: "ghcr.io/o/pkg", tag: "1.0", digest: SHA, registry: "ghcr.io", error: null });
    expect(parseOciReference("ghcr.io/o/pkg")).toEqual({ name: "ghcr.io/o/pkg", tag: null, digest: null, registry: "ghcr.io", error: null });
    expect(parseOciReference("oci://Bad/Name:1")).toEqual({ name: "Bad/Name", tag: "1", digest: null, registry: null, error: 'invalid image name "Bad/Name"' });
  });

  it("ociDependency fills the docker dependency from the reference", () => {
    const oci = parseOciReference(`oci://ghcr.io/o/pkg:1.0@${SHA}`);
    expect(ociDependency(base, oci, "1.0", null)).toEqual({
      ...base,
      name: "ghcr.io/o/pkg",
      datasource: "docker",
      current_value: "1.0",
      version: "1.0",
      locked_version: null,
      registry_url: "ghcr.io",
      digest: SHA,
      skip_reason: null,
      local_path: null,
      component: "",
    });
    expect(ociDependency(base, oci, "", "skip").skip_reason).toBe("skip");
  });
});

describe("template markers", () => {
  it("Zarf templates and GitHub expressions", () => {
    expect(ZARF_TEMPLATE.test("x###ZARF_VAR_A_1###y")).toBe(true);
    expect(ZARF_TEMPLATE.test("###ZARF_var###")).toBe(false);
    expect(ZARF_TEMPLATE.test("##ZARF_VAR_A###")).toBe(false);
    expect(GHA_EXPRESSION.exec("a ${{ x }} b ${{ y }}")?.[0]).toBe("${{ x }}");
    expect(GHA_EXPRESSION.test("${ x }")).toBe(false);
  });
});

describe("strings and paths", () => {
  it("clip replaces control characters and cuts at 80 by default", () => {
    expect(clip("a\u0000b\u001fc\u007fd\te")).toBe("a?b?c?d?e");
    expect(clip("x".repeat(80))).toBe("x".repeat(80));
    expect(clip("x".repeat(81))).toBe(`${"x".repeat(80)}…`);
    expect(clip("abcdef", 3)).toBe("abc…");
    expect(clip(" \u0020~")).toBe("  ~");
  });

  it("resolveRepoPath joins and normalises, keeping leading '..' that leave the root", () => {
    expect(resolveRepoPath("a/b", "../c")).toBe("a/c");
    expect(resolveRepoPath("a/b", "./c/./d/")).toBe("a/b/c/d");
    expect(resolveRepoPath("a", "../../x")).toBe("../x");
    expect(resolveRepoPath(".", "../../x")).toBe("../../x");
    expect(resolveRepoPath("a/b", "/top/x")).toBe("top/x");
    expect(resolveRepoPath("a", "..")).toBe(".");
    expect(resolveRepoPath(".", ".")).toBe(".");
  });

  it("dirOf and baseName", () => {
    expect(dirOf("a/b/c.yaml")).toBe("a/b");
    expect(dirOf("c.yaml")).toBe(".");
    expect(dirOf("/c.yaml")).toBe("");
    expect(baseName("a/b/c.yaml")).toBe("c.yaml");
    expect(baseName("c.yaml")).toBe("c.yaml");
  });
});

describe("YAML helpers", () => {
  const doc = root("name: app\nversion: 1.10\nflag: true\nempty:\nlist:\n  - a\nmap:\n  k: v\nnum: 3\n");

  it("getPair / getNode find the first pair of a key; anything but a map has none", () => {
    expect(getPair(doc, "name")?.key.line).toBe(1);
    expect(getNode(doc, "missing")).toBeUndefined();
    expect(getPair(getNode(doc, "list"), "a")).toBeUndefined();
    expect(getPair(null, "a")).toBeUndefined();
    const dup = root("a: 1\na: 2\n");
    expect(scalarText(getNode(dup, "a"))).toBe("1");
  });

  it("scalarText keeps the source of numbers and booleans, and is null for null and non-scalars", () => {
    expect(scalarText(getNode(doc, "name"))).toBe("app");
    expect(scalarText(getNode(doc, "version"))).toBe("1.10");
    expect(scalarText(getNode(doc, "flag"))).toBe("true");
    expect(scalarText(getNode(doc, "num"))).toBe("3");
    expect(scalarText(getNode(doc, "empty"))).toBeNull();
    expect(scalarText(getNode(doc, "list"))).toBeNull();
    expect(scalarText({ kind: "scalar", value: 7, source: null, line: 1, comment: null })).toBe("7");
    expect(scalarText({ kind: "scalar", value: 7, source: "", line: 1, comment: null })).toBe("7");
    expect(scalarText({ kind: "scalar", value: "", source: "x", line: 1, comment: null })).toBe("");
  });

  it("asMap / asSeq / lineOf", () => {
    expect(asMap(getNode(doc, "map"))?.kind).toBe("map");
    expect(asMap(getNode(doc, "list"))).toBeNull();
    expect(asSeq(getNode(doc, "list"))?.kind).toBe("seq");
    expect(asSeq(getNode(doc, "map"))).toBeNull();
    expect(lineOf(getNode(doc, "list"))).toBe(6);
    expect(lineOf(getNode(doc, "map"))).toBe(8);
    expect(lineOf(getNode(doc, "name"))).toBe(1);
    expect(lineOf({ line: 4 })).toBeNull();
    expect(lineOf(undefined)).toBeNull();
  });

  it("mapEntries lists string keys in order with their nodes", () => {
    const entries = mapEntries(root("b: 1\na: x\n3: y\n"));
    expect(entries.map((e) => [e.key, e.keyNode.line, scalarText(e.value)])).toEqual([
      ["b", 1, "1"],
      ["a", 2, "x"],
      ["3", 3, "y"],
    ]);
    expect(mapEntries(getNode(doc, "list"))).toEqual([]);
  });

  it("kindOf names every kind", () => {
    expect(kindOf(undefined)).toBe("missing");
    expect(kindOf(getNode(doc, "map"))).toBe("a map");
    expect(kindOf(getNode(doc, "list"))).toBe("a list");
    expect(kindOf(getNode(doc, "empty"))).toBe("null");
    expect(kindOf(getNode(doc, "num"))).toBe("a number");
    expect(kindOf(getNode(doc, "flag"))).toBe("a boolean");
    expect(kindOf(getNode(doc, "name"))).toBe("a string");
    expect(kindOf(null)).toBe("an unsupported node");
  });

  it("pairLine is the key's line, else the value's, and null without a pair", () => {
    expect(pairLine(getPair(doc, "map"))).toBe(7);
    expect(pairLine(undefined)).toBeNull();
    const pair = getPair(doc, "map")!;
    expect(pairLine({ key: { x: 1 } as never, value: pair.value })).toBe(8);
  });
});
