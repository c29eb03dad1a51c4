/**
 * Dockerfile and compose forms one behaviour per test (issue 18: mutation score of docker.ts).
 * Expected values follow the Dockerfile reference (parser directives, ARG, FROM, escape, heredocs)
 * and the compose interpolation rules, written out by hand.
 */
import { describe, expect, it } from "vitest";
import { dockerManager, isComposeFile, isDockerfile, parseDockerfileInstructions, parseDotEnv, substituteVariables } from "../../../src/scan/managers/docker.js";

const SHA = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const df = (content: string, file = "Dockerfile") => dockerManager.extract(file, content, { readFile: () => undefined, allFiles: [file] });
const compose = (content: string, files: Record<string, string> = {}, file = "docker-compose.yml") =>
  dockerManager.extract(file, content, { readFile: (p) => files[p], allFiles: [file, ...Object.keys(files)] });
const messages = (r: { warnings: Array<{ line: number | null; message: string }> }) => r.warnings.map((w) => [w.line, w.message]);
const vars = (o: Record<string, string | undefined>) => new Map(Object.entries(o));
const sub = (text: string, o: Record<string, string | undefined>, escape: string | null = "\\") => substituteVariables(text, vars(o), escape);

describe("substituteVariables", () => {
  it("$VAR and ${VAR}: known values replace, unknown and valueless ones stay and are reported", () => {
    expect(sub("a$X-b${X}c", { X: "1" })).toEqual({ value: "a1-b1c", unresolved: [] });
    expect(sub("$Y ${Y} $Z", { Y: undefined })).toEqual({ value: "$Y ${Y} $Z", unresolved: ["Y", "Y", "Z"] });
    expect(sub("$X_1.$X", { X_1: "a", X: "b" })).toEqual({ value: "a.b", unresolved: [] });
  });

  it("a '$' not followed by a name is kept", () => {
    expect(sub("cost $5 $", {})).toEqual({ value: "cost $5 $", unresolved: [] });
  });

  it("${VAR-word} uses word only when unset; ${VAR:-word} also when empty", () => {
    expect(sub("${A-d}|${A:-d}", { A: "" })).toEqual({ value: "|d", unresolved: [] });
    expect(sub("${A-d}|${A:-d}", { A: "v" })).toEqual({ value: "v|v", unresolved: [] });
    expect(sub("${A-d}|${A:-d}", {})).toEqual({ value: "d|d", unresolved: [] });
    expect(sub("${A-d}", { A: undefined })).toEqual({ value: "d", unresolved: [] });
  });

  it("${VAR+word} uses word only when set; ${VAR:+word} only when set and not empty", () => {
    expect(sub("${A+w}|${A:+w}", { A: "" })).toEqual({ value: "w|", unresolved: [] });
    expect(sub("${A+w}|${A:+w}", { A: "v" })).toEqual({ value: "w|w", unresolved: [] });
    expect(sub("${A+w}|${A:+w}", {})).toEqual({ value: "|", unresolved: [] });
  });

  it("${VAR:?err} and ${VAR?err} are the value when set, else stay and are reported", () => {
    expect(sub("${A:?need A}", { A: "v" })).toEqual({ value: "v", unresolved: [] });
    expect(sub("${A:?need A}", {})).toEqual({ value: "${A:?need A}", unresolved: ["A"] });
    expect(sub("${A:?need A}", { A: "" })).toEqual({ value: "${A:?need A}", unresolved: ["A"] });
    expect(sub("${A?need A}", { A: "" })).toEqual({ value: "", unresolved: [] });
  });

  it("defaults are expanded themselves, and their unknown variables reported", () => {
    expect(sub("${A:-${B}-x}", { B: "b" })).toEqual({ value: "b-x", unresolved: [] });
    expect(sub("${A:-$C}", {})).toEqual({ value: "$C", unresolved: ["C"] });
    expect(sub("${A:+${B:-z}}", { A: "1" })).toEqual({ value: "z", unresolved: [] });
  });

  it("an unclosed ${ keeps the rest as written; a malformed ${...} is kept and reported", () => {
    expect(sub("x${A", { A: "1" })).toEqual({ value: "x${A", unresolved: ["A"] });
    expect(sub("${1A}y", {})).toEqual({ value: "${1A}y", unresolved: ["1A"] });
    expect(sub("${A B}", { A: "1" })).toEqual({ value: "${A B}", unresolved: ["A B"] });
  });

  it("nested braces are matched to their own closing brace", () => {
    expect(sub("${A:-{x}}!", {})).toEqual({ value: "{x}!", unresolved: [] });
  });

  it("the escape character makes '$' literal; compose uses '$$'", () => {
    expect(sub("\\$A", { A: "1" })).toEqual({ value: "$A", unresolved: [] });
    expect(sub("`$A", { A: "1" }, "`")).toEqual({ value: "$A", unresolved: [] });
    expect(sub("\\x", {})).toEqual({ value: "\\x", unresolved: [] });
    expect(sub("$$A", { A: "1" }, null)).toEqual({ value: "$A", unresolved: [] });
    expect(sub("$$A", { A: "1" }, "\\")).toEqual({ value: "$1", unresolved: [] });
  });

  it("deeply nested defaults stop expanding after eight levels", () => {
    let text = "$X";
    for (let i = 0; i < 12; i++) text = `\${A:-${text}}`;
    const r = sub(text, { X: "x" });
    expect(r.value).not.toBe("x");
    expect(sub("${A:-${A:-${A:-$X}}}", { X: "x" }).value).toBe("x");
  });
});

describe("parseDockerfileInstructions", () => {
  it("parser directives at the top only, lower-cased names, and the escape directive", () => {
    const r = parseDockerfileInstructions("# syntax=docker/dockerfile:1\n#Escape = `\nFROM a `\n  AS b\n# late=directive\nRUN x\n");
    expect(r.directives).toEqual([
      { name: "syntax", value: "docker/dockerfile:1", line: 1 },
      { name: "escape", value: "`", line: 2 },
    ]);
    expect(r.escape).toBe("`");
    expect(r.instructions).toEqual([
      { keyword: "FROM", args: "a AS b", line: 3 },
      { keyword: "RUN", args: "x", line: 6 },
    ]);
  });

  it("an escape directive other than ` or \\ is ignored", () => {
    expect(parseDockerfileInstructions("# escape=x\nFROM a\n").escape).toBe("\\");
  });

  it("continuations skip comment and blank lines; keywords are upper-cased; CRLF and BOM are handled", () => {
    const r = parseDockerfileInstructions("\uFEFFfrom a\r\nrun one \\\r\n\r\n  # note\r\n  two\r\nCMD\r\n");
    expect(r.instructions).toEqual([
      { keyword: "FROM", args: "a", line: 1 },
      { keyword: "RUN", args: "one two", line: 2 },
      { keyword: "CMD", args: "", line: 6 },
    ]);
  });

  it("a continuation at the end of the file is kept", () => {
    expect(parseDockerfileInstructions("FROM a \\").instructions).toEqual([{ keyword: "FROM", args: "a", line: 1 }]);
  });

  it("heredoc bodies are skipped, with <<-, quotes and several heredocs on one line", () => {
    const r = parseDockerfileInstructions("FROM a\nRUN <<-'EOF' cat <<\"TWO\"\n\tFROM not-an-image\n\tEOF\nFROM nope\nTWO\nFROM b\n");
    expect(r.instructions.map((i) => [i.keyword, i.args])).toEqual([
      ["FROM", "a"],
      ["RUN", "<<-'EOF' cat <<\"TWO\""],
      ["FROM", "b"],
    ]);
  });
});

describe("Dockerfile extraction", () => {
  it("the final stage is prod, earlier ones build; stage names, scratch and numbers are no images", () => {
    const r = df("FROM golang:1.22 AS Build\nFROM build AS again\nFROM scratch\nCOPY --from=0 /a /a\nCOPY --from=BUILD /b /b\nFROM alpine:3.20\n");
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.current_value, d.dependency_type, d.line])).toEqual([
      ["golang", "1.22", "build", 1],
      ["alpine", "3.20", "prod", 6],
    ]);
  });

  it("FROM flags are skipped; unexpected words after the image are reported", () => {
    const r = df("FROM --platform=$BUILDPLATFORM node:20 AS web\nFROM nginx:1 extra words\nFROM\nFROM --platform=x\n");
    expect(r.deps.map((d) => [d.name, d.current_value])).toEqual([
      ["node", "20"],
      ["nginx", "1"],
    ]);
    expect(messages(r)).toEqual([
      [2, 'unexpected text after the image in FROM: "extra words"'],
      [3, "FROM without an image"],
      [4, "FROM without an image"],
    ]);
  });

  it("'FROM image as' with a missing name and 'FROM a b c' are unexpected text", () => {
    expect(messages(df("FROM a as\n"))).toEqual([[1, 'unexpected text after the image in FROM: "as"']]);
    expect(messages(df("FROM a to b\n"))).toEqual([[1, 'unexpected text after the image in FROM: "to b"']]);
  });

  it("global ARGs resolve FROM; stage ARGs do not, but they resolve COPY --from", () => {
    const r = df('ARG V=1.0 "Q=two words" 9BAD=x\nFROM img:$V\nARG S=stage\nFROM other:${S:-none}\nARG S=2\nCOPY --from=tool:$S --chown=1 /x /x\n');
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason])).toEqual([
      ["img", "1.0", null],
      ["other", "none", null],
      ["tool", "2", null],
    ]);
  });

  it("ARG without a value in a stage re-imports the global default for the stage's own ARGs", () => {
    const r = df("ARG V=3\nFROM a\nARG V\nARG W=x$V\nCOPY --from=b:$W /x /x\n");
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason])).toEqual([
      ["a", "", null],
      ["b", "x3", null],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it("a stage ARG with a value is not replaced by a later bare ARG of the same name", () => {
    const r = df("ARG V=3\nFROM a\nARG V=5\nARG V\nARG W=$V\nCOPY --from=b:$W /x /x\n");
    expect(r.deps.map((d) => d.current_value)).toEqual(["", "5"]);
  });

  it("an ARG declared without a value leaves FROM unresolved, and a later value does not count for earlier lines", () => {
    const r = df("ARG V\nFROM a:$V\nARG V=1\n");
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason])).toEqual([["a", "$V", "unresolved variable"]]);
    // BuildKit's platform args have no value we can know.
    expect(df("FROM a:$TARGETARCH\n").deps[0].skip_reason).toBe("unresolved variable");
  });

  it("ARG values may use earlier ARGs and quotes", () => {
    const r = df("ARG REG=ghcr.io\nARG IMG=\"$REG/o/app\"\nARG T='1.0'\nFROM ${IMG}:${T}\n");
    expect(r.deps.map((d) => [d.name, d.current_value, d.registry_url])).toEqual([["ghcr.io/o/app", "1.0", "ghcr.io"]]);
  });

  it("an escaped quote inside double quotes and an escaped space outside are part of the word", () => {
    const r = df('ARG A="x\\"y" B=p\\ q\nFROM i:${A:+ok}\n');
    expect(r.deps[0].current_value).toBe("ok");
  });

  it("COPY --from is read only among the leading flags", () => {
    const r = df("FROM a\nCOPY --chmod=644 --from=b:1 src dst\nCOPY src --from=c:1\nADD --from=d:1 x y\n");
    expect(r.deps.map((d) => d.name)).toEqual(["a", "b", "d"]);
  });

  it("an invalid image is kept, skipped and reported", () => {
    const r = df("FROM Bad/Image:1\n");
    expect(r.deps.map((d) => [d.name, d.skip_reason])).toEqual([["Bad/Image", "invalid image reference"]]);
    expect(messages(r)).toEqual([[1, 'invalid image name "Bad/Image" in image reference "Bad/Image:1"']]);
  });

  it("a file with instructions but no FROM is reported; an empty one is not", () => {
    expect(messages(df("RUN x\n"))).toEqual([[null, "no FROM instruction found"]]);
    expect(df("# just a comment\n\n")).toMatchObject({ deps: [], warnings: [] });
  });

  it("the syntax directive is a build dependency with its span; a digest-pinned one has no span", () => {
    const r = df("# syntax=docker/dockerfile:1.7\nFROM a\n");
    expect(r.deps[0]).toMatchObject({ name: "docker/dockerfile", current_value: "1.7", dependency_type: "build", group: "syntax", line: 1 });
    expect(r.deps[0].value_span).toEqual({ line: 1, start_column: 27, end_column: 30, text: "1.7" });
    const pinned = df(`# syntax=docker/dockerfile:1.7@${SHA}\nFROM a\n`);
    expect(pinned.deps[0].value_span ?? null).toBeNull();
    const untagged = df("# syntax=docker/dockerfile\nFROM a\n");
    expect(untagged.deps[0].value_span ?? null).toBeNull();
  });

  it("an invalid syntax image is reported as such and has no span", () => {
    const r = df("# syntax=Bad/Frontend:1\nFROM a\n");
    expect(messages(r)).toEqual([[1, 'syntax directive: invalid image name "Bad/Frontend" in image reference "Bad/Frontend:1"']]);
    expect(r.deps[0].value_span ?? null).toBeNull();
  });
});

describe("parseDotEnv", () => {
  it("reads KEY=VALUE, export, quotes and trailing comments", () => {
    const env = parseDotEnv("# c\n\nA=1\nexport B = two \nC=\"q # not a comment\"\nD='s'\nE=v # comment\nF=\"unbalanced\nG=\"\nbad line\nH.I-J=k\r\n");
    expect([...env]).toEqual([
      ["A", "1"],
      ["B", "two"],
      ["C", "q # not a comment"],
      ["D", "s"],
      ["E", "v"],
      ["F", '"unbalanced'],
      ["G", '"'],
      ["H.I-J", "k"],
    ]);
  });
});

describe("compose extraction", () => {
  it("service images with their lines, interpolated from .env beside the file", () => {
    const r = compose("services:\n  web:\n    image: nginx:${TAG:-1.25}\n  db:\n    image: \"postgres:$PG\"\n  app:\n    image: $$literal\n", { "deploy/.env": "PG=16\n" }, "deploy/compose.yaml");
    expect(r.deps.map((d) => [d.name, d.current_value, d.line, d.skip_reason])).toEqual([
      ["nginx", "1.25", 3, null],
      ["postgres", "16", 5, null],
      ["$literal", "", 7, "invalid image reference"],
    ]);
  });

  it("without a .env, variables stay unresolved and the dependency is skipped", () => {
    const r = compose("services:\n  db:\n    image: postgres:$PG\n");
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason])).toEqual([["postgres", "$PG", "unresolved variable"]]);
    expect(r.warnings).toEqual([]);
  });

  it("a root .env is read for a root compose file", () => {
    const r = compose("services:\n  db:\n    image: postgres:$PG\n", { ".env": "PG=15\n" });
    expect(r.deps[0].current_value).toBe("15");
  });

  it("services that build their image list it as built, resolved, and are no dependencies", () => {
    const r = compose("services:\n  app:\n    build: .\n    image: ghcr.io/o/app:${V:-dev}\n  other:\n    build: .\n    image: x:$UNKNOWN\n");
    expect(r.deps).toEqual([]);
    expect(r.meta).toEqual({ primary: false, images_built: ["ghcr.io/o/app:dev"] });
    expect(compose("services:\n  a:\n    image: a\n").meta).toEqual({ primary: false });
  });

  it("services without an image, empty services and documents without services are nothing", () => {
    expect(compose("services:\n  a:\n    build: .\n  b: {}\n")).toMatchObject({ deps: [], warnings: [] });
    expect(compose("services:\nversion: '3'\n")).toMatchObject({ deps: [], warnings: [] });
    expect(compose("services: {}\n")).toMatchObject({ deps: [], warnings: [] });
    expect(compose("name: x\n---\n")).toMatchObject({ deps: [], warnings: [] });
  });

  it("services that are no map, and an image that is no string, are reported", () => {
    expect(messages(compose("x: 1\nservices:\n  - a\n"))).toEqual([[2, '"services" should be a map of service definitions, found a list']]);
    expect(messages(compose("services: 3\n"))).toEqual([[1, '"services" should be a map of service definitions, found a number']]);
    expect(messages(compose("services:\n  a:\n    image:\n      - x\n"))).toEqual([[4, "services.a.image should be a string, found a list"]]);
    expect(messages(compose("services:\n  a:\n    image: Bad/Name\n"))).toEqual([[3, 'services.a.image: invalid image name "Bad/Name" in image reference "Bad/Name"']]);
  });

  it("every document of a multi-document file is read", () => {
    const r = compose("services:\n  a:\n    image: a:1\n---\nservices:\n  b:\n    image: b:2\n");
    expect(r.deps.map((d) => [d.name, d.line])).toEqual([
      ["a", 3],
      ["b", 7],
    ]);
  });
});

describe("file names", () => {
  it("Dockerfiles and Containerfiles with suffixes or prefixes, but no notes or backups", () => {
    for (const f of ["Dockerfile", "a/Dockerfile.dev", "Containerfile", "x/Containerfile.prod", "app.Dockerfile", "app.dockerfile", "b.Containerfile", "b.containerfile"]) {
      expect([f, isDockerfile(f)]).toEqual([f, true]);
    }
    for (const f of ["Dockerfile.md", "Dockerfile.bak", "Dockerfile.orig", "Dockerfile.swp", "Dockerfile.TXT", "x.dockerignore", "Dockerfile.dockerignore", "dockerfile", "MyDockerfile", "Dockerfile/x", ".Dockerfile"]) {
      expect([f, isDockerfile(f)]).toEqual([f, false]);
    }
  });

  it("compose files: docker-compose and compose, with a suffix, yaml or yml", () => {
    for (const f of ["docker-compose.yml", "compose.yaml", "a/docker-compose.prod.yaml", "compose-dev.yml", "docker-compose.override.yml"]) expect([f, isComposeFile(f)]).toEqual([f, true]);
    for (const f of ["my-compose.yml", "compose.json", "docker-compose.yml.bak", "composer.yaml"]) expect([f, isComposeFile(f)]).toEqual([f, false]);
  });

  it("a compose file's companion is the .env beside it; a Dockerfile has none", () => {
    expect(dockerManager.companions?.("compose.yaml")).toEqual([".env"]);
    expect(dockerManager.companions?.("a/b/compose.yaml")).toEqual(["a/b/.env"]);
    expect(dockerManager.companions?.("a/Dockerfile")).toEqual([]);
    expect(dockerManager.matches("a/Dockerfile")).toBe(true);
    expect(dockerManager.matches("a/compose.yml")).toBe(true);
    expect(dockerManager.matches("a/values.yaml")).toBe(false);
  });
});
