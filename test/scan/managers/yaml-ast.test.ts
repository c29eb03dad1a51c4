import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  isYMap,
  isYScalar,
  isYSeq,
  parseFallback,
  parseFast,
  parseYaml,
  parseYamlData,
  type YMap,
  type YNode,
  type YSeq,
} from "../../../src/scan/managers/yaml-ast.js";
import { getNode, getPair, lineOf, mapEntries, scalarText } from "../../../src/scan/managers/image-ref.js";
import { CORPUS, corpusPathAvailable } from "../../helpers/corpus.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const PROJECT = path.resolve(here, "../../..");
const FIXTURES = path.join(PROJECT, "test", "fixtures");

/** The fast tree must equal the `yaml` package's tree (values, source text, lines, comments). */
function expectSameAsFallback(content: string): void {
  const fast = parseFast(content);
  expect(fast).not.toBeNull();
  expect(fast).toEqual(parseFallback("f.yaml", content, "helm").docs);
}

const SHA = "0123456789abcdef0123456789abcdef01234567";

const WORKFLOW = [
  "name: ci # the pipeline",
  "on:",
  "  push:",
  "  workflow_dispatch:",
  "jobs:",
  "  build:",
  "    runs-on: [ubuntu-22.04, self-hosted]",
  "    steps:",
  `      - uses: actions/checkout@${SHA} # v4.1.0`,
  "      - name: setup",
  `        uses: "actions/setup-node@${SHA}"   #   tag=v4`,
  "        with:",
  "          node-version: 1.10",
  "          cache: 'npm # not a comment'",
  "      - run: |",
  "          echo one # inside a block scalar",
  "          echo two",
  "      - uses: docker://alpine:3.19",
  "",
].join("\n");

describe("parseYaml fast path (js-yaml + listener)", () => {
  it("gives lines, typed values, source text of numbers and trailing comments", () => {
    const r = parseYaml("wf.yml", WORKFLOW, "github-actions");
    expect(r.parser).toBe("fast");
    expect(r.warnings).toEqual([]);
    const root = r.docs[0].contents;
    const steps = getNode(getNode(getNode(root, "jobs"), "build"), "steps") as YSeq;
    expect(isYSeq(steps)).toBe(true);
    expect(steps.line).toBe(9);
    const uses0 = getNode(steps.items[0], "uses");
    expect(isYScalar(uses0) && uses0.comment).toBe(" v4.1.0");
    expect(lineOf(uses0)).toBe(9);
    const uses1 = getNode(steps.items[1], "uses");
    expect(isYScalar(uses1) && [uses1.value, uses1.comment, uses1.line]).toEqual([`actions/setup-node@${SHA}`, "   tag=v4", 11]);
    const version = getNode(getNode(steps.items[1], "with"), "node-version");
    expect(isYScalar(version) && version.value).toBe(1.1);
    expect(scalarText(version)).toBe("1.10");
    expect(scalarText(getNode(getNode(steps.items[1], "with"), "cache"))).toBe("npm # not a comment");
    expect(isYScalar(getNode(getNode(steps.items[1], "with"), "cache")) && (getNode(getNode(steps.items[1], "with"), "cache") as { comment: string | null }).comment).toBeNull();
    const run = getNode(steps.items[2], "run");
    expect(scalarText(run)).toBe("echo one # inside a block scalar\necho two\n");
    expect(lineOf(steps.items[3])).toBe(18);
    // `workflow_dispatch:` with no value: a null scalar on the key's line.
    const wd = getNode(getNode(root, "on"), "workflow_dispatch");
    expect(isYScalar(wd) && [wd.value, wd.line]).toEqual([null, 4]);
    expectSameAsFallback(WORKFLOW);
  });

  it("reads every document of a stream, CRLF line ends and a byte order mark", () => {
    const multi = "---\na: 1\n---\n- x\n- y # c\n...\n---\nb: {c: [1, 2], d: e}\n";
    const docs = parseYaml("m.yaml", multi, "docker").docs;
    expect(docs).toHaveLength(3);
    expect(lineOf(docs[1].contents)).toBe(4);
    expect(lineOf((docs[2].contents as YMap).items[0].value)).toBe(8);
    expectSameAsFallback(multi);
    const crlf = "a: 1\r\nb:\r\n  - x # c\r\n  - y\r\n";
    expect(lineOf((getNode(parseYaml("c.yaml", crlf, "docker").docs[0].contents, "b") as YSeq).items[1])).toBe(4);
    expectSameAsFallback(crlf);
    const bom = "\uFEFFname: x\nversion: 2 # two\n";
    expect(scalarText(getNode(parseYaml("b.yaml", bom, "helm").docs[0].contents, "version"))).toBe("2");
    expectSameAsFallback(bom);
  });

  it("resolves aliases to the anchored node without expanding them", () => {
    const text = "x-img: &img nginx:1.25\nservices:\n  web:\n    image: *img\n  db: &db\n    image: postgres:16\n  db2: *db\n";
    const r = parseYaml("compose.yaml", text, "docker");
    expect(r.parser).toBe("fast");
    const services = getNode(r.docs[0].contents, "services");
    const web = getNode(getNode(services, "web"), "image");
    expect(scalarText(web)).toBe("nginx:1.25");
    expect(lineOf(web)).toBe(1); // the anchored scalar, as the `yaml` package's alias.resolve() gives
    expect(getNode(services, "db2")).toBe(getNode(services, "db"));
    expectSameAsFallback(text);

    // A "billion laughs" document shares every level in memory, but a walker would expand it: it is
    // refused with the limit (issue 10), while a modest one stays shared.
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    const bomb = parseYaml("bomb.yaml", levels.join("\n") + "\n", "helm");
    expect(bomb.docs).toEqual([]);
    expect(bomb.warnings[0]?.message).toMatch(/aliases expand to over \d+ extra nodes/);
    const small = parseYaml("small.yaml", levels.slice(0, 4).join("\n") + "\n", "helm");
    expect(small.parser).toBe("fast");
    const d = getNode(small.docs[0].contents, "d") as YSeq;
    expect(d.items[0]).toBe(d.items[9]);
    expect(d.items[0]).toBe(getNode(small.docs[0].contents, "c"));
  });

  it("applies merge keys: explicit keys win wherever they are, the first source wins among merged", () => {
    const text = [
      "base: &base",
      "  image: base:1",
      "  env: prod",
      "other: &other",
      "  env: dev",
      "  user: me",
      "svc:",
      "  image: mine:2",
      "  <<: [*base, *other]",
      "svc2:",
      "  <<: *base",
      "  image: later:3",
      "",
    ].join("\n");
    for (const r of [parseYaml("m.yaml", text, "docker"), parseFallback("m.yaml", text, "docker")]) {
      const svc = getNode(r.docs[0].contents, "svc");
      expect(mapEntries(svc).map((e) => [e.key, scalarText(e.value)])).toEqual([
        ["image", "mine:2"],
        ["env", "prod"],
        ["user", "me"],
      ]);
      expect(scalarText(getNode(getNode(r.docs[0].contents, "svc2"), "image"))).toBe("later:3");
      expect(getPair(getNode(r.docs[0].contents, "svc2"), "env")?.key.line).toBe(3);
    }
    expect(parseYaml("m.yaml", text, "docker").parser).toBe("fast");
  });

  it("keeps scalar types of the YAML 1.2 core schema (no timestamps, no YAML 1.1 booleans)", () => {
    const text = "a: 2024-01-01\nb: yes\nc: True\nd: ~\ne: 0x1F\nf: '1.10'\ng: !!str 3.0\nh: -1.5e3\n";
    const root = parseYaml("t.yaml", text, "helm").docs[0].contents;
    const values = mapEntries(root).map((e) => (isYScalar(e.value) ? e.value.value : "?"));
    expect(values).toEqual(["2024-01-01", "yes", true, null, 31, "1.10", "3.0", -1500]);
    expect(scalarText(getNode(root, "e"))).toBe("0x1F");
    expectSameAsFallback(text);
  });

  it("keeps hostile strings that look like internal tokens", () => {
    const text = 'a: x\nb: "\\u00001"\nc:\n  - "\\u00004"\n  - y\n';
    const root = parseYaml("h.yaml", text, "helm").docs[0].contents;
    expect(scalarText(getNode(root, "b"))).toBe("\u00001");
    expect((getNode(root, "c") as YSeq).items.map(scalarText)).toEqual(["\u00004", "y"]);
    expectSameAsFallback(text);
  });
});

describe("parseYaml fallback (`yaml` package)", () => {
  it("reports a syntax error with its line and still never throws", () => {
    const r = parseYaml("bad.yaml", "a: 1\nb:\n  - x\n - y\n", "helm");
    expect(r.parser).toBe("fallback");
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(r.warnings[0]).toMatchObject({ file: "bad.yaml", manager: "helm", line: 4, message: expect.stringMatching(/^invalid YAML: /) });
  });

  it("reports duplicate keys with the line of the second one, keeping the first", () => {
    const r = parseYaml("dup.yaml", "name: a\nversion: 1\nname: b\n", "helm");
    expect(r.parser).toBe("fallback");
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: "dup.yaml", line: 3, manager: "helm", message: expect.stringMatching(/^invalid YAML: Map keys must be unique/) });
    expect(scalarText(getNode(r.docs[0].contents, "name"))).toBe("a");
  });

  it("tolerates tags js-yaml does not know, and places empty list entries", () => {
    const tagged = parseYaml("gl.yaml", "script: !reference [.setup, script]\nimage: alpine:3\n", "docker");
    expect(tagged.parser).toBe("fallback");
    expect(scalarText(getNode(tagged.docs[0].contents, "image"))).toBe("alpine:3");
    const empty = parseYaml("e.yaml", "images:\n  - a:1\n  -\n  - b:2\n", "zarf");
    expect(empty.parser).toBe("fallback");
    const items = (getNode(empty.docs[0].contents, "images") as YSeq).items;
    expect(items.map((n) => [scalarText(n), lineOf(n)])).toEqual([
      ["a:1", 2],
      [null, 3],
      ["b:2", 4],
    ]);
  });

  it("survives nesting deeper than js-yaml's limit", () => {
    const deep = "a: " + "[".repeat(150) + "]".repeat(150) + "\n";
    const r = parseYaml("deep.yaml", deep, "helm");
    expect(r.warnings).toEqual([]);
    expect(isYSeq(getNode(r.docs[0].contents, "a"))).toBe(true);
  });
});

describe("parseYamlData (lockfiles)", () => {
  it("loads plain data, and throws the `yaml` package's error (with its line) on broken input", () => {
    expect(parseYamlData("lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies: {}\n")).toEqual({
      lockfileVersion: "9.0",
      importers: { ".": { dependencies: {} } },
    });
    let err: unknown;
    try {
      parseYamlData("a: 1\nb: [\n");
    } catch (e) {
      err = e;
    }
    expect((err as { linePos?: Array<{ line: number }> }).linePos?.[0].line).toBeGreaterThan(1);
    // A tag js-yaml rejects: the `yaml` package loads it (as a string), quietly.
    expect(parseYamlData("x: !custom 1\n")).toEqual({ x: "1" });
  });
});

function yamlFilesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yamlFilesUnder(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

describe("fast and fallback trees agree on the test fixtures", () => {
  it("every well-formed fixture YAML file takes the fast path and gives the same tree", () => {
    const files = yamlFilesUnder(path.join(FIXTURES, "scan"));
    expect(files.length).toBeGreaterThan(10);
    let fast = 0;
    for (const f of files) {
      const content = readFileSync(f, "utf8");
      const slow = parseFallback(f, content, "helm");
      const quick = parseFast(content);
      if (slow.warnings.length > 0) continue; // broken on purpose: the fallback handles those
      expect(quick, f).not.toBeNull();
      expect(quick, f).toEqual(slow.docs);
      fast++;
    }
    expect(fast).toBeGreaterThan(10);
  });
});

const corpusExists = corpusPathAvailable("yaml-ast", path.join(CORPUS, "repos"));

describe.skipIf(!corpusExists)("fast and fallback trees agree on the corpus", () => {
  it("every corpus YAML file takes the fast path and gives the `yaml` package's tree", () => {
    const files = yamlFilesUnder(path.join(CORPUS, "repos"));
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const content = readFileSync(f, "utf8");
      const quick = parseYaml(f, content, "helm");
      expect(quick.parser, f).toBe("fast");
      expect(quick.docs, f).toEqual(parseFallback(f, content, "helm").docs);
    }
  });
});

// Keep the type guards honest on non-nodes.
describe("type guards", () => {
  it("reject values that are not tree nodes", () => {
    const notNodes: unknown[] = [null, undefined, 1, "map", { kind: "other" }];
    for (const v of notNodes) {
      expect(isYMap(v) || isYSeq(v) || isYScalar(v)).toBe(false);
      expect(lineOf(v as YNode)).toBeNull();
    }
  });
});
