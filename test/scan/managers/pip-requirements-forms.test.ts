/**
 * requirements.txt forms, one behaviour per test (issue 18: mutation score of pip/requirements.ts).
 * Expected values come from pip's requirements-file format (pip.pypa.io "Requirements File Format")
 * and PEP 508 / PEP 440, written out by hand.
 */
import { describe, expect, it } from "vitest";
import {
  MAX_REQUIREMENTS_INCLUDE_DEPTH,
  extractRequirements,
  logicalLines,
  nameFromArchive,
  parseVcsUrl,
  requirementsDependencyType,
} from "../../../src/scan/managers/pip/requirements.js";

function extract(files: Record<string, string>, file = "requirements.txt") {
  return extractRequirements(file, files[file] ?? "", { readFile: (p) => files[p], allFiles: Object.keys(files) });
}
const messages = (r: { warnings: Array<{ line: number | null; message: string }> }) => r.warnings.map((w) => [w.line, w.message]);
const dep = (r: ReturnType<typeof extract>, name: string) => {
  const d = r.deps.find((x) => x.name === name);
  if (!d) throw new Error(`no dependency ${name} in ${JSON.stringify(r.deps.map((x) => x.name))}`);
  return d;
};

describe("requirementsDependencyType", () => {
  it.each(["dev", "develop", "development", "test", "tests", "testing", "lint", "linting", "docs", "doc", "ci", "typing", "tox", "qa"])(
    "requirements-<word>.txt and requirements/<word>.txt are dev files: %s",
    (word) => {
      expect(requirementsDependencyType(`requirements-${word}.txt`)).toBe("dev");
      expect(requirementsDependencyType(`requirements/${word}.txt`)).toBe("dev");
    },
  );

  it("reads the words around 'requirements' in any case and separator, and .in files alike", () => {
    expect(requirementsDependencyType("dev-requirements.in")).toBe("dev");
    expect(requirementsDependencyType("REQUIREMENTS_TEST.TXT")).toBe("dev");
    expect(requirementsDependencyType("requirements.lint.txt")).toBe("dev");
    expect(requirementsDependencyType("svc/requirement-ci.txt")).toBe("dev");
    expect(requirementsDependencyType("requirements/py311-tests.in")).toBe("dev");
  });

  it("production files and words that only contain a dev word are prod", () => {
    expect(requirementsDependencyType("requirements.txt")).toBe("prod");
    expect(requirementsDependencyType("requirements-prod.txt")).toBe("prod");
    expect(requirementsDependencyType("requirements-devtools.txt")).toBe("prod");
    expect(requirementsDependencyType("requirements/base.in")).toBe("prod");
    // In a requirements/ folder the whole stem counts: "requirements" is not stripped, and it is no dev word.
    expect(requirementsDependencyType("requirements/requirements.txt")).toBe("prod");
  });

  it("strips the .txt/.in extension before splitting, so a file named after the extension is not a word", () => {
    // Without the extension strip, "requirements/doc.in" would still be dev; "docs" in the dir name must not count.
    expect(requirementsDependencyType("docs/requirements.txt")).toBe("prod");
    expect(requirementsDependencyType("requirements/in.txt")).toBe("prod");
  });
});

describe("logicalLines", () => {
  it("drops a byte-order mark and splits CRLF line ends", () => {
    expect(logicalLines("\uFEFFa==1\r\nb==2\r\n")).toEqual([
      { text: "a==1", line: 1 },
      { text: "b==2", line: 2 },
    ]);
  });

  it("a '#' glued to text is no comment; one after whitespace or at the start is", () => {
    expect(logicalLines("pkg#frag\n#whole line\nx==1\t# tab comment\n")).toEqual([
      { text: "pkg#frag", line: 1 },
      { text: "x==1", line: 3 },
    ]);
  });

  it("joins continuations with one space, numbering the joined line by its first physical line", () => {
    expect(logicalLines("\n\nfoo \\  \n   >=1 \\\n   ,<2\nbar\n")).toEqual([
      { text: "foo >=1 ,<2", line: 3 },
      { text: "bar", line: 6 },
    ]);
  });

  it("a lone backslash line adds nothing, and a continuation at the end of the file is kept", () => {
    expect(logicalLines("a\\\n\\\nb")).toEqual([{ text: "a b", line: 1 }]);
    expect(logicalLines("x==1\ny \\")).toEqual([
      { text: "x==1", line: 1 },
      { text: "y", line: 2 },
    ]);
  });

  it("a comment on a continued line ends that part but not the joined line", () => {
    expect(logicalLines("a==1 \\\n  # only a comment \n")).toEqual([{ text: "a==1", line: 1 }]);
  });
});

describe("parseVcsUrl", () => {
  it("splits vcs, URL, ref and egg", () => {
    expect(parseVcsUrl("git+https://github.com/org/tool.git@v1.2#egg=tool")).toEqual({ vcs: "git", url: "https://github.com/org/tool.git", ref: "v1.2", egg: "tool" });
    expect(parseVcsUrl("HG+https://hg.example.com/repo@abc")).toEqual({ vcs: "hg", url: "https://hg.example.com/repo", ref: "abc", egg: null });
  });

  it("the '@' of user@host is no ref; the last '@' of the path is", () => {
    expect(parseVcsUrl("git+ssh://git@github.com/org/r.git")).toEqual({ vcs: "git", url: "ssh://git@github.com/org/r.git", ref: null, egg: null });
    expect(parseVcsUrl("git+ssh://git@github.com/org/r.git@main")).toEqual({ vcs: "git", url: "ssh://git@github.com/org/r.git", ref: "main", egg: null });
    // scp-like form: the path starts after ':'.
    expect(parseVcsUrl("git+git@github.com:org/r.git@v2")).toEqual({ vcs: "git", url: "git@github.com:org/r.git", ref: "v2", egg: null });
    expect(parseVcsUrl("git+git@github.com:org/r.git")).toEqual({ vcs: "git", url: "git@github.com:org/r.git", ref: null, egg: null });
  });

  it("an empty ref after '@' is none", () => {
    expect(parseVcsUrl("git+https://h/o/r.git@")).toEqual({ vcs: "git", url: "https://h/o/r.git", ref: null, egg: null });
  });

  it("egg names lose extras and version, other fragment keys are ignored", () => {
    expect(parseVcsUrl("git+https://h/o/r.git#subdirectory=x&egg=pkg[extra]")?.egg).toBe("pkg");
    expect(parseVcsUrl("git+https://h/o/r.git#egg=pkg==1.0")?.egg).toBe("pkg");
    expect(parseVcsUrl("git+https://h/o/r.git#egg=pkg>=1")?.egg).toBe("pkg");
    expect(parseVcsUrl("git+https://h/o/r.git#egg=pkg<2")?.egg).toBe("pkg");
    expect(parseVcsUrl("git+https://h/o/r.git#subdirectory=x")).toEqual({ vcs: "git", url: "https://h/o/r.git", ref: null, egg: null });
  });

  it("is null for anything without a vcs+ prefix", () => {
    expect(parseVcsUrl("https://h/o/r.git")).toBeNull();
    expect(parseVcsUrl("cvs+https://h/o/r")).toBeNull();
    expect(parseVcsUrl("xgit+https://h/o/r")).toBeNull();
    expect(parseVcsUrl("svn+svn://h/r")?.vcs).toBe("svn");
    expect(parseVcsUrl("bzr+lp:proj")?.vcs).toBe("bzr");
  });
});

describe("nameFromArchive", () => {
  it("reads wheels and sdists", () => {
    expect(nameFromArchive("https://f/x/foo_bar-1.2.3-py3-none-any.whl")).toEqual({ name: "foo_bar", version: "1.2.3" });
    expect(nameFromArchive("https://f/x/foo-bar-1.2.tar.gz")).toEqual({ name: "foo-bar", version: "1.2" });
    expect(nameFromArchive("./dist/pkg-0.1.zip")).toEqual({ name: "pkg", version: "0.1" });
    expect(nameFromArchive("pkg-2.0.tgz")).toEqual({ name: "pkg", version: "2.0" });
    expect(nameFromArchive("pkg-2.0rc1.tar.bz2")).toEqual({ name: "pkg", version: "2.0rc1" });
  });

  it("drops the query and fragment and decodes the file name", () => {
    expect(nameFromArchive("https://f/pkg-1.0.tar.gz?sig=abc#sha256=00")).toEqual({ name: "pkg", version: "1.0" });
    expect(nameFromArchive("https://f/my%5Fpkg-1.0-py3-none-any.whl")).toEqual({ name: "my_pkg", version: "1.0" });
  });

  it("is null for other files", () => {
    expect(nameFromArchive("https://f/pkg-1.0.exe")).toBeNull();
    expect(nameFromArchive("https://f/pkg.tar.gz")).toBeNull();
    expect(nameFromArchive("https://f/-1.0.tar.gz")).toBeNull();
    expect(nameFromArchive("https://f/pkg-1.0.tar.gz.asc")).toBeNull();
    expect(nameFromArchive("https://f/pkg-v1-py3-none-any.whl")).toBeNull();
  });
});

describe("include options", () => {
  it("accepts -rfile, -r file, --requirement=file and --requirement file", () => {
    const files = {
      "requirements.txt": "-ra.txt\n-r  b.txt\n--requirement=c.txt\n--requirement d.txt\n",
      "a.txt": "pa\n",
      "b.txt": "pb\n",
      "c.txt": "pc\n",
      "d.txt": "pd\n",
    };
    const r = extract(files);
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.file, d.line])).toEqual([
      ["pa", "a.txt", 1],
      ["pb", "b.txt", 1],
      ["pc", "c.txt", 1],
      ["pd", "d.txt", 1],
    ]);
  });

  it("resolves includes against the including file's folder, and an absolute path against the repository root", () => {
    const files = {
      "svc/requirements.txt": "-r base/common.txt\n-r /shared/extra.txt\n",
      "svc/base/common.txt": "-r ../../shared/extra.txt\nalpha\n",
      "shared/extra.txt": "beta\n",
    };
    const r = extract(files, "svc/requirements.txt");
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.file])).toEqual([
      ["beta", "shared/extra.txt"],
      ["alpha", "svc/base/common.txt"],
    ]);
  });

  it("an include or constraint with no file name is reported", () => {
    const r = extract({ "requirements.txt": "-r\n--constraint\nx\n" });
    expect(messages(r)).toEqual([
      [1, "-r needs a file name"],
      [2, "--constraint needs a file name"],
    ]);
    expect(r.deps.map((d) => d.name)).toEqual(["x"]);
  });

  it("remote and environment-variable includes are not followed, with a warning", () => {
    const r = extract({
      "requirements.txt": "-r https://example.com/req.txt\n-c ${CONSTRAINTS}\n-r $HOME/x.txt\n-r file_${X}.txt\nx\n",
      "file_${X}.txt": "never\n",
    });
    expect(messages(r)).toEqual([
      [1, "-r https://example.com/req.txt: remote or variable include not followed"],
      [2, "-c ${CONSTRAINTS}: remote or variable include not followed"],
      [3, "-r $HOME/x.txt: remote or variable include not followed"],
      [4, "-r file_${X}.txt: remote or variable include not followed"],
    ]);
    expect(r.deps.map((d) => d.name)).toEqual(["x"]);
  });

  it("a '$' that starts no variable name and a file:// include are told apart", () => {
    // "$1" is not a variable pip expands (names start with a letter or '_'): a plain file name.
    const r = extract({ "requirements.txt": "-r price$1.txt\n-r FILE://x/req.txt\n", "price$1.txt": "cheap\n" });
    expect(messages(r)).toEqual([[2, "-r FILE://x/req.txt: remote or variable include not followed"]]);
    expect(r.deps.map((d) => d.name)).toEqual(["cheap"]);
  });

  it("a file included twice is read once, and a missing one is reported with the resolved path", () => {
    const r = extract({ "a/requirements.txt": "-r common.txt\n-r common.txt\n-r ../gone.txt\n", "a/common.txt": "shared\n" }, "a/requirements.txt");
    expect(r.deps.map((d) => d.name)).toEqual(["shared"]);
    expect(messages(r)).toEqual([[3, "included requirements file gone.txt not found"]]);
  });

  it("a listed file that cannot be read counts as missing", () => {
    const r = extractRequirements("requirements.txt", "-r other.txt\n", {
      allFiles: ["requirements.txt", "other.txt"],
      readFile: () => {
        throw new Error("EACCES");
      },
    });
    expect(messages(r)).toEqual([[1, "included requirements file other.txt not found"]]);
  });

  it(`follows ${MAX_REQUIREMENTS_INCLUDE_DEPTH} levels of includes and warns at the next one`, () => {
    expect(MAX_REQUIREMENTS_INCLUDE_DEPTH).toBe(32);
    const files: Record<string, string> = { "r0.txt": "-r r1.txt\np0\n" };
    for (let i = 1; i <= 40; i++) files[`r${i}.txt`] = `-r r${i + 1}.txt\np${i}\n`;
    const r = extract(files, "r0.txt");
    // r0 is depth 0; r32 is the 32nd include and is read; its own "-r r33.txt" is refused.
    expect(r.deps.map((d) => d.name)).toEqual(Array.from({ length: 33 }, (_, i) => `p${32 - i}`));
    expect(r.warnings).toEqual([{ file: "r32.txt", line: 1, manager: "pip", message: "-r r33.txt: includes nested over 32 levels deep; not followed" }]);
  });

  it("the depth counts nesting, not the number of included files", () => {
    const files: Record<string, string> = { "requirements.txt": Array.from({ length: 40 }, (_, i) => `-r s${i}.txt`).join("\n") };
    for (let i = 0; i < 40; i++) files[`s${i}.txt`] = `q${i}\n`;
    const r = extract(files);
    expect(r.warnings).toEqual([]);
    expect(r.deps).toHaveLength(40);
  });

  it("dependencies of an included dev file are dev", () => {
    const r = extract({ "requirements.txt": "-r requirements-test.txt\nflask\n", "requirements-test.txt": "pytest\n" });
    expect(r.deps.map((d) => [d.name, d.dependency_type])).toEqual([
      ["pytest", "dev"],
      ["flask", "prod"],
    ]);
  });
});

describe("index options", () => {
  it("-i, --index-url and --extra-index-url set the registry of the requirements after them", () => {
    const r = extract({
      "requirements.txt": "a\n-i https://one.example/simple\nb\n--index-url=https://two.example/simple extra\nc\n--extra-index-url https://three.example/simple\nd\n",
    });
    expect(r.deps.map((d) => [d.name, d.registry_url])).toEqual([
      ["a", null],
      ["b", "https://one.example/simple"],
      ["c", "https://two.example/simple"],
      ["d", "https://three.example/simple"],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it("an index option without a URL is reported and changes nothing", () => {
    const r = extract({ "requirements.txt": "-i https://one.example/simple\n--extra-index-url\n-i\n--index-url\nb\n" });
    expect(messages(r)).toEqual([
      [2, "--extra-index-url needs a URL"],
      [3, "-i needs a URL"],
      [4, "--index-url needs a URL"],
    ]);
    expect(dep(r, "b").registry_url).toBe("https://one.example/simple");
  });

  it("the index of one file does not leak into the file that includes it", () => {
    const r = extract({ "requirements.txt": "-r inner.txt\nouter\n", "inner.txt": "-i https://inner.example/simple\ninner\n" });
    expect(dep(r, "inner").registry_url).toBe("https://inner.example/simple");
    expect(dep(r, "outer").registry_url).toBeNull();
  });
});

describe("editable and direct references", () => {
  it("-e / --editable without a target is reported", () => {
    const r = extract({ "requirements.txt": "-e\n--editable\n" });
    expect(messages(r)).toEqual([
      [1, "-e needs a path or URL"],
      [2, "--editable needs a path or URL"],
    ]);
    expect(r.deps).toEqual([]);
  });

  it("an editable git checkout takes its name from #egg, else from the repository URL", () => {
    const r = extract({
      "requirements.txt": "-e git+https://github.com/org/tool.git@v1#egg=the-tool\n--editable=git+https://github.com/org/other.git/\n-e hg+https://hg.example/proj@r5 --config-settings x=y\n",
    });
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.datasource, d.current_value, d.version, d.registry_url, d.skip_reason, d.notes, d.line])).toEqual([
      ["the-tool", "git", "v1", "v1", "https://github.com/org/tool.git", "git-dependency", ["editable"], 1],
      ["other", "git", "", "", "https://github.com/org/other.git/", "git-dependency", ["editable"], 2],
      ["proj", "none", "r5", "r5", "https://hg.example/proj", "hg-dependency", ["editable"], 3],
    ]);
  });

  it("a VCS URL whose last segment is no package name needs #egg", () => {
    const r = extract({ "requirements.txt": "-e git+https://example.com/%7Euser/\ngit+https://example.com/-x.git\n" });
    expect(messages(r)).toEqual([
      [1, 'cannot tell the package name of "git+https://example.com/%7Euser/" (add #egg=name)'],
      [2, 'cannot tell the package name of "git+https://example.com/-x.git" (add #egg=name)'],
    ]);
    expect(r.deps).toEqual([]);
  });

  it("a bare VCS line (not editable) carries no 'editable' note", () => {
    const r = extract({ "requirements.txt": "git+https://github.com/org/lib.git@abc123\n" });
    expect(dep(r, "lib")).toMatchObject({ datasource: "git", current_value: "abc123", skip_reason: "git-dependency", local_path: null, line: 1 });
    expect(dep(r, "lib").notes).toBeUndefined();
  });

  it("a bare archive URL is a direct-url dependency named by its file or #egg", () => {
    const r = extract({
      "requirements.txt": "https://files.example/pkg_a-1.4-py3-none-any.whl\nhttps://files.example/download?id=7#egg=pkg-b\nhttps://files.example/download?id=8\n",
    });
    expect(r.deps.map((d) => [d.name, d.current_value, d.version, d.datasource, d.skip_reason, d.registry_url])).toEqual([
      ["pkg_a", "https://files.example/pkg_a-1.4-py3-none-any.whl", "1.4", "pypi", "direct-url", null],
      ["pkg-b", "https://files.example/download?id=7#egg=pkg-b", "", "pypi", "direct-url", null],
    ]);
    expect(messages(r)).toEqual([[3, 'cannot tell the package name of URL "https://files.example/download?id=8"']]);
  });

  it("a URL's #egg wins over the archive name", () => {
    const r = extract({ "requirements.txt": "https://f.example/pkg-1.0.tar.gz#egg=renamed&subdirectory=x\n" });
    expect(r.deps.map((d) => [d.name, d.version])).toEqual([["renamed", "1.0"]]);
  });

  it("local paths resolve against the file's folder and are named by #egg, archive or folder", () => {
    const r = extract(
      {
        "py/requirements.txt": [
          "./libs/alpha",
          "-e ../shared/beta[extra]",
          "file:../dist/gamma-3.1.tar.gz",
          "file:///opt/src/delta",
          "/abs/epsilon",
          "./libs/zeta#egg=zeta-pkg",
          "-e .",
        ].join("\n"),
      },
      "py/requirements.txt",
    );
    expect(r.deps.map((d) => [d.name, d.local_path, d.version, d.skip_reason, d.current_value])).toEqual([
      ["alpha", "py/libs/alpha", "", "local-path", "./libs/alpha"],
      ["beta", "shared/beta", "", "local-path", "../shared/beta[extra]"],
      ["gamma", "dist/gamma-3.1.tar.gz", "3.1", "local-path", "file:../dist/gamma-3.1.tar.gz"],
      ["delta", "/opt/src/delta", "", "local-path", "file:///opt/src/delta"],
      ["epsilon", "/abs/epsilon", "", "local-path", "/abs/epsilon"],
      ["zeta-pkg", "py/libs/zeta", "", "local-path", "./libs/zeta#egg=zeta-pkg"],
      ["py", "py", "", "local-path", "."],
    ]);
    expect(r.deps[1].notes).toEqual(["editable"]);
    expect(r.warnings).toEqual([]);
  });

  it("a path that names no folder is reported", () => {
    const r = extract({ "requirements.txt": "-e .\n-e ..\n" });
    expect(messages(r)).toEqual([
      [1, 'cannot tell the package name of path "."'],
      [2, 'cannot tell the package name of path ".."'],
    ]);
  });

  it("Windows drive paths are paths, and a name with '/' and a specifier is not", () => {
    const r = extract({ "requirements.txt": "C:\\src\\pkg\nD:/src/other\n" });
    expect(r.deps.map((d) => d.skip_reason)).toEqual(["local-path", "local-path"]);
    const notPath = extract({ "requirements.txt": "a/b>=1\n" });
    expect(notPath.deps).toEqual([]);
    expect(notPath.warnings).toHaveLength(1);
  });
});

describe("PEP 508 direct references (name @ url)", () => {
  it("git and other VCS URLs", () => {
    const r = extract({ "requirements.txt": "tool @ git+https://github.com/org/tool.git@v3\nmerc @ hg+https://hg.example/merc\n" });
    expect(r.deps.map((d) => [d.name, d.datasource, d.current_value, d.version, d.registry_url, d.skip_reason])).toEqual([
      ["tool", "git", "v3", "v3", "https://github.com/org/tool.git", "git-dependency"],
      ["merc", "none", "", "", "https://hg.example/merc", "hg-dependency"],
    ]);
  });

  it("file: URLs are local paths", () => {
    const r = extract({ "requirements.txt": "loc @ file:///srv/loc\nrel @ file:vendor/rel\n" });
    expect(r.deps.map((d) => [d.name, d.current_value, d.version, d.local_path, d.skip_reason])).toEqual([
      ["loc", "file:///srv/loc", "", "/srv/loc", "local-path"],
      ["rel", "file:vendor/rel", "", "vendor/rel", "local-path"],
    ]);
  });

  it("other URLs are direct-url, versioned by the archive name when there is one", () => {
    const r = extract({ "requirements.txt": "-i https://idx.example/simple\nw @ https://f.example/w-2.5-py3-none-any.whl\nz @ https://f.example/get/z\n" });
    expect(r.deps.map((d) => [d.name, d.current_value, d.version, d.registry_url, d.skip_reason])).toEqual([
      ["w", "https://f.example/w-2.5-py3-none-any.whl", "2.5", null, "direct-url"],
      ["z", "https://f.example/get/z", "", null, "direct-url"],
    ]);
  });

  it("a direct reference keeps its marker and extras as notes", () => {
    const r = extract({ "requirements.txt": 'pkg[a,b] @ https://f.example/pkg-1.0.tar.gz ; sys_platform == "linux"\n' });
    expect(dep(r, "pkg").notes).toEqual(['marker: sys_platform == "linux"', "extras: a,b"]);
  });
});

describe("requirements with versions", () => {
  it("records the specifier as declared and the version it stands for", () => {
    const r = extract({ "requirements.txt": "a==1.2.3\nb>=2.0,<3\nc~=1.4.2\nd==1.2.*\ne\nf<2\n" });
    expect(r.deps.map((d) => [d.name, d.current_value, d.version, d.skip_reason, d.datasource])).toEqual([
      ["a", "==1.2.3", "1.2.3", null, "pypi"],
      ["b", ">=2.0,<3", "2.0", null, "pypi"],
      ["c", "~=1.4.2", "1.4.2", null, "pypi"],
      ["d", "==1.2.*", "1.2", null, "pypi"],
      ["e", "", "", null, "pypi"],
      ["f", "<2", "<2", null, "pypi"],
    ]);
  });

  it("an invalid specifier is skipped with a warning naming the package", () => {
    const r = extract({ "requirements.txt": "bad==1.0.0.0.0.0.0.0.x\n" });
    expect(dep(r, "bad").skip_reason).toBe("invalid-version");
    expect(messages(r)).toEqual([[1, 'bad: invalid PEP 440 specifier "==1.0.0.0.0.0.0.0.x"']]);
  });

  it("arbitrary equality to a non-PEP 440 version is unsupported, with a warning", () => {
    const r = extract({ "requirements.txt": "\nodd===foobar\n" });
    expect(dep(r, "odd")).toMatchObject({ skip_reason: "unsupported-version", version: "===foobar" });
    expect(messages(r)).toEqual([[2, 'odd: arbitrary equality "===foobar" is not a PEP 440 version']]);
  });

  it("a hash after the requirement is noted, other per-requirement options are not", () => {
    const r = extract({ "requirements.txt": "a==1 --hash=sha256:00\nb==1 --hash sha256:00\nc==1 --config-settings=k=v\nd==2 -C k=v\n" });
    expect(r.deps.map((d) => [d.name, d.current_value, d.notes])).toEqual([
      ["a", "==1", ["hash-pinned"]],
      ["b", "==1", ["hash-pinned"]],
      ["c", "==1", undefined],
      // -C is pip's short form of --config-settings (per-requirement since pip 22.1)
      ["d", "==2", undefined],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it("a line that is no requirement is reported with its line and the scan goes on", () => {
    const r = extract({ "requirements.txt": "ok==1\n!!!\nfine\n" });
    expect(messages(r)).toEqual([[2, 'not a PEP 508 requirement: "!!!"']]);
    expect(r.deps.map((d) => [d.name, d.line])).toEqual([
      ["ok", 1],
      ["fine", 3],
    ]);
  });

  it("every warning names the file it comes from", () => {
    const r = extract({ "requirements.txt": "-r sub/reqs.txt\n", "sub/reqs.txt": "???\n" });
    expect(r.warnings).toEqual([{ file: "sub/reqs.txt", line: 1, manager: "pip", message: 'not a PEP 508 requirement: "???"' }]);
  });
});

describe("unsupported and ignored options", () => {
  it("an unknown short option and --hash on its own line are reported", () => {
    const r = extract({ "requirements.txt": "-x foo\n--hash=sha256:00\n" });
    expect(messages(r)).toEqual([
      [1, 'unsupported option "-x" ignored'],
      [2, 'unsupported option "--hash" ignored'],
    ]);
  });

  it("ignored flags never need a value, ignored options with a value do", () => {
    const r = extract({ "requirements.txt": "--pre\n--no-index\n--only-binary\n--no-binary\n-f\n--trusted-host\n--use-feature\n--config-settings\n--global-option\n--install-option\n" });
    expect(messages(r)).toEqual([
      [3, "--only-binary needs a value"],
      [4, "--no-binary needs a value"],
      [5, "-f needs a value"],
      [6, "--trusted-host needs a value"],
      [7, "--use-feature needs a value"],
      [8, "--config-settings needs a value"],
      [9, "--global-option needs a value"],
      [10, "--install-option needs a value"],
    ]);
  });
});

describe("constraint files and pip-compile pins", () => {
  it("pins from a constraints file apply to matching requirements by normalised name", () => {
    const r = extract({
      "requirements.txt": "-c constraints.txt\nZope.Interface>=5\nrequests\n",
      "constraints.txt": "zope-interface==6.1\nrequests>=2\n",
    });
    expect(r.deps.map((d) => [d.name, d.current_value, d.version, d.locked_version])).toEqual([
      ["Zope.Interface", ">=5", "6.1", "6.1"],
      ["requests", "", "", null],
    ]);
    expect(r.locked).toEqual([{ name: "zope-interface", version: "6.1" }]);
  });

  it("=== pins count, a pin with a hash counts, and the first pin of a name wins", () => {
    const r = extract({
      "requirements.txt": "-c c.txt\na\nb\nc\n",
      "c.txt": "a===1.0\nb==2.0 --hash=sha256:00\nc==3.0\nC==9.9\nd==1.*\ne==1,<2\n",
    });
    expect(r.locked).toEqual([
      { name: "a", version: "1.0" },
      { name: "b", version: "2.0" },
      { name: "c", version: "3.0" },
    ]);
    expect(dep(r, "c").locked_version).toBe("3.0");
  });

  it("constraints follow their own -r and -c, relative to themselves, once each", () => {
    const r = extract({
      "requirements.txt": "-c pins/top.txt\nx\ny\nz\n",
      "pins/top.txt": "-r more.txt\n--constraint=../other.txt\n-c top.txt\nx==1\n",
      "pins/more.txt": "y==2\n",
      "other.txt": "z==3\n",
    });
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.locked_version])).toEqual([
      ["x", "1"],
      ["y", "2"],
      ["z", "3"],
    ]);
  });

  it("a constraint include that cannot be read is reported against the constraint file", () => {
    const r = extract({ "requirements.txt": "-c c.txt\n", "c.txt": "-r gone.txt\n" });
    expect(r.warnings).toEqual([{ file: "gone.txt", line: null, manager: "pip", message: "cannot read gone.txt" }]);
  });

  it("a -r or -c without a value in a constraint file is skipped", () => {
    const r = extract({ "requirements.txt": "-c c.txt\na\n", "c.txt": "-r\n--pre\na==1\n" });
    expect(r.warnings).toEqual([]);
    expect(dep(r, "a").locked_version).toBe("1");
  });

  it("bad lines in a constraint file are reported, VCS, URL and path lines are not", () => {
    const r = extract({
      "requirements.txt": "-c c.txt\n",
      "c.txt": "git+https://h/o/r.git\nhttps://f/p-1.0.tar.gz\n./local\n??bad\n",
    });
    expect(r.warnings).toEqual([{ file: "c.txt", line: 4, manager: "pip", message: 'not a PEP 508 requirement: "??bad"' }]);
  });

  it(`constraint includes nested over ${MAX_REQUIREMENTS_INCLUDE_DEPTH} levels are not followed`, () => {
    const files: Record<string, string> = { "requirements.txt": "-c c0.txt\nleaf\n" };
    for (let i = 0; i <= 40; i++) files[`c${i}.txt`] = `-c c${i + 1}.txt\n`;
    files["c33.txt"] = "leaf==9\n";
    const deep = extract(files);
    // c0 is at depth 0, c33 at depth 33: over the limit.
    expect(deep.warnings).toEqual([{ file: "c33.txt", line: null, manager: "pip", message: "constraint includes nested over 32 levels deep; not followed" }]);
    expect(dep(deep, "leaf").locked_version).toBeNull();

    files["c32.txt"] = "leaf==8\n";
    const atLimit = extract(files);
    expect(atLimit.warnings).toEqual([]);
    expect(dep(atLimit, "leaf").locked_version).toBe("8");
  });

  it("pins apply only to registry dependencies that are not skipped", () => {
    const r = extract({
      "requirements.txt": "-c c.txt\ntool @ git+https://h/o/tool.git@v1\nodd===foobar\nok\n",
      "c.txt": "tool==1.0\nodd==2.0\nok==3.0\n",
    });
    expect(r.deps.map((d) => [d.name, d.version, d.locked_version])).toEqual([
      ["tool", "v1", null],
      ["odd", "===foobar", null],
      ["ok", "3.0", "3.0"],
    ]);
  });

  it("a .in file takes pins from the .txt beside it, a .txt file does not look for one", () => {
    const files = { "requirements.in": "flask\n", "requirements.txt": "flask==3.0.0\n    # via -r requirements.in\n" };
    const fromIn = extract(files, "requirements.in");
    expect(dep(fromIn, "flask")).toMatchObject({ current_value: "", locked_version: "3.0.0", version: "3.0.0" });
    expect(fromIn.locked).toEqual([{ name: "flask", version: "3.0.0" }]);

    const noTxt = extract({ "requirements.in": "flask\n" }, "requirements.in");
    expect(noTxt.locked).toEqual([]);
    expect(noTxt.warnings).toEqual([]);

    const txt = extract({ "reqs.txt": "flask\n", "reqs.in": "flask==1\n", "reqs.txt.txt": "flask==2\n" }, "reqs.txt");
    expect(txt.locked).toEqual([]);
  });

  it("constraint pins come before pip-compile pins", () => {
    const r = extract({ "requirements.in": "-c c.txt\nflask\n", "c.txt": "flask==1.0\n", "requirements.txt": "flask==2.0\n" }, "requirements.in");
    expect(dep(r, "flask").locked_version).toBe("1.0");
    expect(r.locked).toEqual([{ name: "flask", version: "1.0" }]);
  });
});
