import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** Runs a program without a shell. Injected so tests never spawn npm or touch the network. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  opts: { cwd: string; timeoutMs: number },
) => Promise<{ code: number; stdout: string; stderr: string }>;

/**
 * The child's environment: only what npm needs. The app's own environment holds secrets (PRIVATE_KEY,
 * WEBHOOK_SECRET, SMTP and Slack URLs) that a package manager and its registry must never see.
 */
export function lockfileEnv(env: NodeJS.ProcessEnv = process.env, home: string = tmpdir()): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    PATH: env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    // The operator's npm mirror, for air-gapped installs; never a repository's .npmrc.
    npm_config_userconfig: path.join(home, ".npmrc-none"),
  };
  if (env.COWABUNGA_REGISTRY_NPM) out.npm_config_registry = env.COWABUNGA_REGISTRY_NPM;
  for (const k of ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"]) if (env[k]) out[k] = env[k];
  return out;
}

export const execRunner: CommandRunner = (command, args, opts) =>
  new Promise((resolve) => {
    execFile(command, [...args], { cwd: opts.cwd, timeout: opts.timeoutMs, maxBuffer: 16 * 1024 * 1024, env: lockfileEnv(process.env, opts.cwd) }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? Number((err as { code?: unknown }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (err ? err.message : "")) });
    });
  });

export interface LockfileFile {
  path: string;
  content: string;
}

export type LockfileOutcome =
  /** The lockfile was regenerated here: commit these files too. */
  | { kind: "regenerated"; files: LockfileFile[]; command: string }
  /** It could not be done here: the PR body must say how. */
  | { kind: "manual"; lockfile: string; instructions: string; reason: string }
  /** There is no lockfile for this manifest. */
  | { kind: "none" }
  /** The lockfile itself was the file edited: entries moved in place from the registry's metadata. */
  | { kind: "edited"; lockfile: string; entries: string[]; source: string; notes?: string[] };

export interface LockfileInput {
  /** Repo-relative path of the changed manifest. */
  manifestPath: string;
  /** The manifest after the update. */
  manifestContent: string;
  packageManager: string;
  depName: string;
  newVersion: string;
  /** Every path in the repository (to find the lockfile). */
  files: readonly string[];
  /** Reads a file of the repository at the base commit. */
  readRepoFile(path: string): Promise<string | null>;
  runner?: CommandRunner;
  /** Whether npm may be used on this host; default: ask `npm --version` once through the runner. */
  npmAvailable?: boolean;
  timeoutMs?: number;
}

const dirOf = (p: string): string => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");
const join = (dir: string, name: string): string => (dir === "" ? name : `${dir}/${name}`);

/** The nearest file named `name` in the manifest's directory or an ancestor. */
function nearest(files: readonly string[], dir: string, name: string): string | null {
  const set = new Set(files);
  let d = dir;
  for (;;) {
    const candidate = join(d, name);
    if (set.has(candidate)) return candidate;
    if (d === "") return null;
    d = dirOf(d);
  }
}

/** `cd dir && ` prefix for instructions, or nothing at the root. */
const inDir = (dir: string): string => (dir === "" ? "" : `cd ${dir} && `);

/**
 * The lockfile that goes with a manifest and the exact command that regenerates it, or null when the
 * manifest has none. Used both for the PR body and to decide what to run.
 */
export function lockfileInstructions(manifestPath: string, packageManager: string, depName: string, files: readonly string[]): { lockfile: string; command: string } | null {
  const dir = dirOf(manifestPath);
  const base = manifestPath.slice(dir.length === 0 ? 0 : dir.length + 1);
  const set = new Set(files);
  if (base === "package.json") {
    const own = [
      ["package-lock.json", "npm install --package-lock-only --ignore-scripts"],
      ["npm-shrinkwrap.json", "npm install --package-lock-only --ignore-scripts"],
      ["yarn.lock", "yarn install --mode update-lockfile"],
      ["pnpm-lock.yaml", "pnpm install --lockfile-only"],
    ] as const;
    for (const [name, cmd] of own) {
      const lock = nearest(files, dir, name);
      if (lock) return { lockfile: lock, command: `${inDir(dirOf(lock))}${cmd}` };
    }
    return null;
  }
  if (base === "pnpm-workspace.yaml") {
    // A catalog entry or an override: the workspace's pnpm-lock.yaml records both.
    const lock = set.has(join(dir, "pnpm-lock.yaml")) ? join(dir, "pnpm-lock.yaml") : null;
    return lock ? { lockfile: lock, command: `${inDir(dir)}pnpm install --lockfile-only` } : null;
  }
  if (base === "pyproject.toml" || packageManager === "pip") {
    if (set.has(join(dir, "poetry.lock"))) return { lockfile: join(dir, "poetry.lock"), command: `${inDir(dir)}poetry lock --no-update` };
    const uv = nearest(files, dir, "uv.lock");
    if (uv) return { lockfile: uv, command: `${inDir(dirOf(uv))}uv lock --upgrade-package ${depName}` };
    if (/\.in$/.test(base)) {
      const txt = manifestPath.replace(/\.in$/, ".txt");
      if (set.has(txt)) return { lockfile: txt, command: `${inDir(dir)}pip-compile --upgrade-package ${depName} ${base}` };
    }
    if (set.has(join(dir, "Pipfile.lock"))) return { lockfile: join(dir, "Pipfile.lock"), command: `${inDir(dir)}pipenv lock` };
    return null;
  }
  if (base === "Cargo.toml") {
    const lock = nearest(files, dir, "Cargo.lock");
    return lock ? { lockfile: lock, command: `${inDir(dirOf(lock))}cargo update -p ${depName}` } : null;
  }
  if (base === "go.mod") return { lockfile: join(dir, "go.sum"), command: `${inDir(dir)}go mod tidy` };
  if (base === "Chart.yaml") {
    const lock = join(dir, "Chart.lock");
    return set.has(lock) ? { lockfile: lock, command: `${inDir(dir)}helm dependency update` } : null;
  }
  return null;
}

let npmProbe: Promise<boolean> | null = null;

async function npmUsable(runner: CommandRunner, timeoutMs: number): Promise<boolean> {
  if (runner !== execRunner) return (await runner("npm", ["--version"], { cwd: tmpdir(), timeoutMs })).code === 0;
  npmProbe ??= runner("npm", ["--version"], { cwd: tmpdir(), timeoutMs }).then((r) => r.code === 0);
  return npmProbe;
}

export const NPM_LOCK_ARGS = ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"] as const;

/**
 * Regenerate the lockfile of an updated manifest when this host can (npm with a package-lock.json next
 * to package.json: `npm install --package-lock-only --ignore-scripts` in a temporary directory holding
 * the new package.json and the old lock); otherwise say how to do it by hand. Never throws.
 */
export async function regenerateLockfile(input: LockfileInput): Promise<LockfileOutcome> {
  const info = lockfileInstructions(input.manifestPath, input.packageManager, input.depName, input.files);
  if (!info) return { kind: "none" };
  const manual = (reason: string): LockfileOutcome => ({ kind: "manual", lockfile: info.lockfile, instructions: info.command, reason });
  const dir = dirOf(input.manifestPath);
  const isNpmLock = info.lockfile === join(dir, "package-lock.json") || info.lockfile === join(dir, "npm-shrinkwrap.json");
  if (!isNpmLock) {
    return manual(info.lockfile.endsWith("package-lock.json") ? "the lockfile belongs to a workspace root; regenerate it there" : "this host does not run this package manager");
  }
  const runner = input.runner ?? execRunner;
  const timeoutMs = input.timeoutMs ?? 120_000;
  if (!(input.npmAvailable ?? (await npmUsable(runner, timeoutMs)))) return manual("npm is not available on this host");
  const oldLock = await input.readRepoFile(info.lockfile);
  if (oldLock == null) return manual(`${info.lockfile} could not be read`);
  let tmp: string | null = null;
  try {
    tmp = await mkdtemp(path.join(tmpdir(), "cowabunga-lock-"));
    const lockName = info.lockfile.slice(info.lockfile.lastIndexOf("/") + 1);
    await writeFile(path.join(tmp, "package.json"), input.manifestContent);
    await writeFile(path.join(tmp, lockName), oldLock);
    const r = await runner("npm", NPM_LOCK_ARGS, { cwd: tmp, timeoutMs });
    if (r.code !== 0) return manual(`npm exited with ${r.code}: ${r.stderr.split("\n").filter(Boolean).slice(-3).join(" ").slice(0, 300)}`);
    const content = await readFile(path.join(tmp, lockName), "utf8");
    if (content === oldLock) return manual("npm left the lockfile unchanged");
    return { kind: "regenerated", files: [{ path: info.lockfile, content }], command: `npm ${NPM_LOCK_ARGS.join(" ")}` };
  } catch (e) {
    return manual(`lockfile regeneration failed: ${(e as Error).message}`);
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}
