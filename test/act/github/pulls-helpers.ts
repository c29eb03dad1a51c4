import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ProbotOctokit } from "probot";
import { FileStore } from "../../../src/store/index.js";

export const NOW = new Date("2026-01-20T12:00:00.000Z");
export const clock = (): Date => NOW;
export const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function makeOctokit(): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } });
}

export function tempStore(): { store: FileStore; cleanup: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), "cowabunga-pr-"));
  return { store: new FileStore({ root, clock }), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
export const unb64 = (s: string): string => Buffer.from(s, "base64").toString("utf8");
