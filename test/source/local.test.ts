import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalSource, MAX_FILE_BYTES } from "../../src/source/local.js";

let dir: string;
let outside: string;

async function write(rel: string, content = "x"): Promise<void> {
  const abs = path.join(dir, ...rel.split("/"));
  await fs.mkdir(path.dirname(abs), { recursive: true });
  await fs.writeFile(abs, content);
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "cowabunga-local-"));
  outside = await fs.mkdtemp(path.join(os.tmpdir(), "cowabunga-outside-"));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

describe("LocalSource", () => {
  it("honours root and nested .gitignore files, with git's precedence", async () => {
    await write(".gitignore", "*.log\nbuild/\n/secrets.txt\n");
    await write("app.log");
    await write("build/package.json", "{}");
    await write("secrets.txt");
    await write("pkg/secrets.txt"); // anchored pattern: only the root one is ignored
    await write("pkg/.gitignore", "!keep.log\nlocal-only.json\n");
    await write("pkg/keep.log");
    await write("pkg/other.log");
    await write("pkg/local-only.json");
    await write("pkg/package.json", "{}");
    await write("other/local-only.json"); // pkg's rule does not reach here
    const files = (await new LocalSource(dir).listFiles()).map((f) => f.path);
    expect(files).toEqual([
      ".gitignore",
      "other/local-only.json",
      "pkg/.gitignore",
      "pkg/keep.log",
      "pkg/package.json",
      "pkg/secrets.txt",
    ]);
  });

  it("applies .git/info/exclude and skips .git itself", async () => {
    await write(".git/HEAD", "ref: refs/heads/main\n");
    await write(".git/info/exclude", "scratch/\n");
    await write("scratch/package.json", "{}");
    await write("package.json", "{}");
    const files = (await new LocalSource(dir).listFiles()).map((f) => f.path);
    expect(files).toEqual(["package.json"]);
  });

  it("always skips vendored and installed folders, and Rust target/ only beside Cargo.toml", async () => {
    for (const d of ["node_modules/left-pad", "vendor/github.com/x", "third_party/lib", ".venv/lib", "venv/lib", "__pycache__", "web/node_modules/react"]) {
      await write(`${d}/package.json`, "{}");
    }
    await write("rust/Cargo.toml", "[package]\nname='a'\n");
    await write("rust/target/package/a-0.1.0/Cargo.toml", "");
    await write("deploy/target/values.yaml", "");
    const files = (await new LocalSource(dir).listFiles()).map((f) => f.path);
    expect(files).toEqual(["deploy/target/values.yaml", "rust/Cargo.toml"]);
  });

  it("lists POSIX relative paths in sorted order with sizes, and reads them", async () => {
    await write("b/requirements.txt", "requests==2.0.0\n");
    await write("a/package.json", '{"name":"a"}');
    const src = new LocalSource(dir);
    const files = await src.listFiles();
    expect(files).toEqual([
      { path: "a/package.json", size: 12 },
      { path: "b/requirements.txt", size: 16 },
    ]);
    const read = await src.readFiles(["b/requirements.txt", "a/package.json", "missing.txt", "../etc/passwd"]);
    expect([...read.keys()].sort()).toEqual(["a/package.json", "b/requirements.txt"]);
    expect(read.get("b/requirements.txt")).toBe("requests==2.0.0\n");
    expect(src.description).toBe(`local:${path.resolve(dir)}`);
  });

  it("lists files over 5 MB but does not read them, with a warning naming the file", async () => {
    await write("big/package-lock.json", "");
    await fs.truncate(path.join(dir, "big", "package-lock.json"), MAX_FILE_BYTES + 1);
    await write("big/package.json", "{}");
    const src = new LocalSource(dir);
    const files = await src.listFiles();
    expect(files.find((f) => f.path === "big/package-lock.json")?.size).toBe(MAX_FILE_BYTES + 1);
    const read = await src.readFiles(["big/package-lock.json", "big/package.json"]);
    expect(read.has("big/package-lock.json")).toBe(false);
    expect(read.get("big/package.json")).toBe("{}");
    expect(src.warnings).toHaveLength(1);
    expect(src.warnings[0].file).toBe("big/package-lock.json");
    expect(src.warnings[0].message).toMatch(/over the 5242880-byte limit/);
  });

  it("does not follow symbolic links out of the root, nor into directories", async () => {
    await fs.writeFile(path.join(outside, "package.json"), '{"name":"evil"}');
    await write("real/package.json", '{"name":"real"}');
    await fs.symlink(path.join(outside, "package.json"), path.join(dir, "escape.json"));
    await fs.symlink(outside, path.join(dir, "escape-dir"));
    await fs.symlink(path.join(dir, "real"), path.join(dir, "loop"));
    await fs.symlink(path.join(dir, "real", "package.json"), path.join(dir, "alias.json"));
    await fs.symlink(path.join(dir, "nowhere"), path.join(dir, "broken.json"));
    const src = new LocalSource(dir);
    const files = (await src.listFiles()).map((f) => f.path);
    expect(files).toEqual(["alias.json", "real/package.json"]);
    expect((await src.readFiles(["alias.json"])).get("alias.json")).toBe('{"name":"real"}');
    const warned = src.warnings.map((w) => w.file).sort();
    expect(warned).toEqual(["broken.json", "escape-dir", "escape.json"]);
  });

  it("reads the commit from .git without running git", async () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    await write(".git/HEAD", "ref: refs/heads/main\n");
    await write(".git/packed-refs", `# pack-refs with: peeled\n${sha} refs/heads/main\n`);
    const src = new LocalSource(dir);
    await src.listFiles();
    expect(src.commitSha).toBe(sha);
  });

  it("rejects a directory that does not exist with a message naming it", async () => {
    const src = new LocalSource(path.join(dir, "nope"));
    await expect(src.listFiles()).rejects.toThrow(/nope is not a readable directory/);
  });
});

describe("LocalSource ignore files from a hostile repository (review fix)", () => {
  it("refuses a .gitignore symlinked to /dev/zero (would read forever) and goes on", async () => {
    await write("package.json", "{}");
    await fs.symlink("/dev/zero", path.join(dir, ".gitignore"));
    const src = new LocalSource(dir);
    const files = (await src.listFiles()).map((f) => f.path);
    expect(files).toContain("package.json");
    expect(src.warnings).toContainEqual({ file: ".gitignore", message: "symbolic link leads outside the repository; its rules are not applied" });
  });

  it("refuses a .gitignore symlinked outside the root, and a FIFO .gitignore", async () => {
    await write("a/keep.txt");
    await write("b/keep.txt");
    await fs.writeFile(path.join(outside, "rules"), "keep.txt\n");
    await fs.symlink(path.join(outside, "rules"), path.join(dir, "a", ".gitignore"));
    const { execFileSync } = await import("node:child_process");
    execFileSync("mkfifo", [path.join(dir, "b", ".gitignore")]);
    const src = new LocalSource(dir);
    const files = (await src.listFiles()).map((f) => f.path);
    // Neither file's rules applied: both keep.txt files are listed; the scan did not hang on the FIFO.
    expect(files).toEqual(expect.arrayContaining(["a/keep.txt", "b/keep.txt"]));
    expect(src.warnings.map((w) => `${w.file}: ${w.message}`)).toContain("a/.gitignore: symbolic link leads outside the repository; its rules are not applied");
  });

  it("applies a .gitignore symlinked inside the root, and skips one over the size limit", async () => {
    await write("shared-rules", "*.log\n");
    await fs.symlink(path.join(dir, "shared-rules"), path.join(dir, ".gitignore"));
    await write("x.log");
    await write("big/.gitignore", `${"#".repeat(1024 * 1024)}\nkeep.txt\n`);
    await write("big/keep.txt");
    const src = new LocalSource(dir);
    const files = (await src.listFiles()).map((f) => f.path);
    expect(files).not.toContain("x.log");
    expect(files).toContain("big/keep.txt");
    expect(src.warnings.some((w) => w.file === "big/.gitignore" && /over the 1048576-byte limit/.test(w.message))).toBe(true);
  });

  it("refuses .git/info/exclude symlinked outside the root", async () => {
    await write("keep.txt");
    await fs.mkdir(path.join(dir, ".git", "info"), { recursive: true });
    await fs.writeFile(path.join(outside, "exclude"), "keep.txt\n");
    await fs.symlink(path.join(outside, "exclude"), path.join(dir, ".git", "info", "exclude"));
    const src = new LocalSource(dir);
    expect((await src.listFiles()).map((f) => f.path)).toContain("keep.txt");
    expect(src.warnings).toContainEqual({ file: ".git/info/exclude", message: "symbolic link leads outside the repository; its rules are not applied" });
  });
});
