/**
 * Launch Debian's Chromium through playwright-core (no browser download), for browser tests and
 * scripts/screenshot-report.ts. CI installs it with `apt-get install chromium`.
 *
 *   const available = chromiumAvailable();
 *   if (!available) console.warn(`skipping browser tests: ${chromiumMissingReason()}`);
 *   describe.skipIf(!available)("...", () => { ... const b = await launchChromium(); ... await b.close(); });
 */
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Flags that keep Chromium quiet and offline: no sandbox (containers), no GPU, no background fetches. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
] as const;

/** CHROMIUM_PATH from the environment, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  return fromEnv && fromEnv.trim() !== "" ? fromEnv : "/usr/bin/chromium";
}

/** True when the Chromium binary exists and is executable. */
export function chromiumAvailable(): boolean {
  const p = chromiumPath();
  if (!existsSync(p)) return false;
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why chromiumAvailable() is false, for the skip message. */
export function chromiumMissingReason(): string {
  return `Chromium not found or not executable at ${chromiumPath()} (install it with \`apt-get install chromium\` or set CHROMIUM_PATH)`;
}

export interface LaunchedChromium {
  context: BrowserContext;
  userDataDir: string;
  newPage(): Promise<Page>;
  /** Close the browser and delete its profile directory. */
  close(): Promise<void>;
}

/** Launch headless Chromium with a fresh, throw-away user-data-dir. */
export async function launchChromium(opts: { viewport?: { width: number; height: number }; javaScriptEnabled?: boolean } = {}): Promise<LaunchedChromium> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), "cowabunga-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: opts.viewport ?? { width: 1400, height: 1000 },
      javaScriptEnabled: opts.javaScriptEnabled ?? true,
    });
  } catch (e) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    userDataDir,
    newPage: () => context.newPage(),
    close: async () => {
      try {
        await context.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
