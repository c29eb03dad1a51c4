import { readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lockfileInstructions, regenerateLockfile, type CommandRunner } from "../../../src/act/github/lockfile.js";

describe("regenerateLockfile", () => {
  it("runs npm install --package-lock-only --ignore-scripts in a temp dir with the new package.json and old lock", async () => {
    const calls: Array<{ command: string; args: readonly string[]; cwd: string; manifest: string; lock: string }> = [];
    let cwdSeen = "";
    const runner: CommandRunner = async (command, args, opts) => {
      cwdSeen = opts.cwd;
      calls.push({
        command,
        args,
        cwd: opts.cwd,
        manifest: readFileSync(path.join(opts.cwd, "package.json"), "utf8"),
        lock: readFileSync(path.join(opts.cwd, "package-lock.json"), "utf8"),
      });
      writeFileSync(path.join(opts.cwd, "package-lock.json"), '{"lockfileVersion":3,"new":true}\n');
      return { code: 0, stdout: "", stderr: "" };
    };
    const out = await regenerateLockfile({
      manifestPath: "ui/package.json",
      manifestContent: '{"dependencies":{"lodash":"^4.17.21"}}',
      packageManager: "npm",
      depName: "lodash",
      newVersion: "4.17.21",
      files: ["ui/package.json", "ui/package-lock.json"],
      readRepoFile: async (p) => (p === "ui/package-lock.json" ? '{"lockfileVersion":3}' : null),
      runner,
      npmAvailable: true,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].command).toBe("npm");
    expect(calls[0].args).toEqual(["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"]);
    expect(calls[0].manifest).toBe('{"dependencies":{"lodash":"^4.17.21"}}');
    expect(calls[0].lock).toBe('{"lockfileVersion":3}');
    expect(out).toEqual({ kind: "regenerated", files: [{ path: "ui/package-lock.json", content: '{"lockfileVersion":3,"new":true}\n' }], command: expect.stringContaining("--package-lock-only") });
    expect(existsSync(cwdSeen)).toBe(false);
  });

  it("falls back to instructions when npm is missing or fails", async () => {
    const failing: CommandRunner = async () => ({ code: 1, stdout: "", stderr: "npm ERR! network\nENOTFOUND registry" });
    const base = {
      manifestPath: "package.json",
      manifestContent: "{}",
      packageManager: "npm",
      depName: "x",
      newVersion: "1.0.0",
      files: ["package.json", "package-lock.json"],
      readRepoFile: async () => "{}",
    };
    const missing = await regenerateLockfile({ ...base, runner: failing });
    expect(missing).toMatchObject({ kind: "manual", lockfile: "package-lock.json", instructions: "npm install --package-lock-only --ignore-scripts", reason: "npm is not available on this host" });
    const failed = await regenerateLockfile({ ...base, runner: failing, npmAvailable: true });
    expect(failed).toMatchObject({ kind: "manual", reason: expect.stringContaining("ENOTFOUND") });
    const noLock = await regenerateLockfile({ ...base, files: ["package.json"], runner: failing });
    expect(noLock).toEqual({ kind: "none" });
  });

  it("gives the right command for each ecosystem", () => {
    expect(lockfileInstructions("api/pyproject.toml", "pip", "requests", ["api/pyproject.toml", "api/poetry.lock"])?.command).toBe("cd api && poetry lock --no-update");
    expect(lockfileInstructions("api/pyproject.toml", "pip", "requests", ["uv.lock", "api/pyproject.toml"])).toEqual({ lockfile: "uv.lock", command: "uv lock --upgrade-package requests" });
    expect(lockfileInstructions("crates/a/Cargo.toml", "cargo", "serde", ["Cargo.lock"])?.command).toBe("cargo update -p serde");
    // A pnpm catalog entry or workspace override: the workspace lockfile, by hand.
    expect(lockfileInstructions("pnpm-workspace.yaml", "npm", "react", ["pnpm-workspace.yaml", "pnpm-lock.yaml"])).toEqual({ lockfile: "pnpm-lock.yaml", command: "pnpm install --lockfile-only" });
    expect(lockfileInstructions("pnpm-workspace.yaml", "npm", "react", ["pnpm-workspace.yaml"])).toBeNull();
    // Runtime version files have no lockfile.
    expect(lockfileInstructions(".nvmrc", "npm", "node", [".nvmrc", "package-lock.json"])).toBeNull();
    expect(lockfileInstructions("svc/go.mod", "go", "x", [])).toEqual({ lockfile: "svc/go.sum", command: "cd svc && go mod tidy" });
    expect(lockfileInstructions("web/package.json", "npm", "x", ["yarn.lock"])?.command).toBe("yarn install --mode update-lockfile");
    expect(lockfileInstructions("Dockerfile", "docker", "x", [])).toBeNull();
  });

  it("asks for a workspace-root regeneration when the lock is not beside the package.json", async () => {
    const out = await regenerateLockfile({
      manifestPath: "packages/a/package.json",
      manifestContent: "{}",
      packageManager: "npm",
      depName: "x",
      newVersion: "1.0.0",
      files: ["package-lock.json", "packages/a/package.json"],
      readRepoFile: async () => "{}",
      runner: async () => {
        throw new Error("must not run");
      },
    });
    expect(out).toMatchObject({ kind: "manual", lockfile: "package-lock.json", reason: expect.stringContaining("workspace root") });
  });
});

describe("lockfileEnv", () => {
  it("passes npm only PATH, a temporary HOME and the operator's npm mirror, never the app's secrets", async () => {
    const { lockfileEnv } = await import("../../../src/act/github/lockfile.js");
    const env = lockfileEnv(
      { PATH: "/usr/bin", PRIVATE_KEY: "-----BEGIN", WEBHOOK_SECRET: "s", COWABUNGA_SMTP_URL: "smtp://u:p@h", COWABUNGA_REGISTRY_NPM: "https://npm.mirror.local/" },
      "/tmp/x",
    );
    expect(env.PATH).toBe("/usr/bin");
    expect(env.HOME).toBe("/tmp/x");
    expect(env.npm_config_registry).toBe("https://npm.mirror.local/");
    expect(Object.values(env).join("\n")).not.toMatch(/BEGIN|smtp:\/\/|^s$/m);
    expect(env.PRIVATE_KEY).toBeUndefined();
    expect(env.WEBHOOK_SECRET).toBeUndefined();
  });
});
