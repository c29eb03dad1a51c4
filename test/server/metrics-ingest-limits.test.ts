import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FileRuntimeMetricsStore, LEGACY_RUNTIME_FILE, RUNTIME_FILE, MemoryRuntimeMetricsStore, type RuntimeSample } from "../../src/act/runtime/metrics-store.js";
import { INGEST, NOW, OWNER, REPO, startServer, type TestServer } from "./helpers.js";

const API = `/api/v1/repos/${OWNER}/${REPO}`;
let srv: TestServer | null = null;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(() => {
  nock.enableNetConnect();
});
afterEach(async () => {
  await srv?.close();
  srv = null;
});

async function push(base: string, urlPath: string, body: unknown = { up: true }): Promise<{ status: number; message: string }> {
  const res = await fetch(`${base}${urlPath}`, { method: "POST", headers: { authorization: `Bearer ${INGEST}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json()) as { error?: { message: string } };
  return { status: res.status, message: json.error?.message ?? "" };
}

const sample = (at: string, up = true): RuntimeSample => ({
  at,
  source: "push",
  up,
  uptime_percentage: null,
  error_rate: null,
  response_time_ms: 10,
  memory_usage_mb: null,
  cpu_usage_percent: null,
  detail: null,
});

describe("metrics ingest accepts only installed, scanned repositories (issue 10, item 5)", () => {
  it("a push for a repository the app never scanned is 404 and creates no data folder", async () => {
    srv = await startServer();
    const r = await push(srv.base, "/api/v1/repos/stranger/never-installed/components/api/metrics");
    expect(r.status).toBe(404);
    expect(r.message).toMatch(/stranger\/never-installed is not one the app is installed on/);
    expect(existsSync(path.join(srv.store.root, "stranger"))).toBe(false);
    expect((await srv.store.listRepos()).map((x) => `${x.owner}/${x.repo}`)).toEqual([`${OWNER}/${REPO}`]);
  });

  it("a scanned repository the app is no longer installed on is 404 (the installation check is asked)", async () => {
    srv = await startServer();
    const asked: string[] = [];
    srv.deps.isInstalled = async (repo) => {
      asked.push(`${repo.owner}/${repo.repo}`);
      return false;
    };
    expect((await push(srv.base, `${API}/components/api/metrics`)).status).toBe(404);
    expect(asked).toEqual([`${OWNER}/${REPO}`]);
    expect(await srv.runtime.all({ owner: OWNER, repo: REPO })).toEqual({});
  });

  it("2,000-style flood of component names: only the scanned components plus the configured extra cap get in", async () => {
    srv = await startServer({ COWABUNGA_INGEST_EXTRA_COMPONENTS: "3" });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await push(srv.base, `${API}/components/random-${i}/metrics`)).status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    expect(statuses.slice(3).every((s) => s === 404)).toBe(true);
    const refused = await push(srv.base, `${API}/components/random-99/metrics`);
    expect(refused.message).toMatch(/not found by the last scan of octo\/app \(known: api, ui\).*limit is 3 \(COWABUNGA_INGEST_EXTRA_COMPONENTS\)/);
    // Scanned components, and the extra ones already holding metrics, are still accepted.
    expect((await push(srv.base, `${API}/components/api/metrics`)).status).toBe(202);
    expect((await push(srv.base, `${API}/components/ui/metrics`)).status).toBe(202);
    expect((await push(srv.base, `${API}/components/random-1/metrics`)).status).toBe(202);
    expect(Object.keys(await srv.runtime.all({ owner: OWNER, repo: REPO })).sort()).toEqual(["api", "random-0", "random-1", "random-2", "ui"]);
  });

  it("COWABUNGA_INGEST_EXTRA_COMPONENTS=0 takes only the components the last scan found", async () => {
    srv = await startServer({ COWABUNGA_INGEST_EXTRA_COMPONENTS: "0" });
    expect((await push(srv.base, `${API}/components/worker/metrics`)).status).toBe(404);
    expect((await push(srv.base, `${API}/components/api/metrics`)).status).toBe(202);
  });

  it("a sample older than the 30-day window is refused (it would be dropped at once)", async () => {
    srv = await startServer();
    const r = await push(srv.base, `${API}/components/api/metrics`, { up: true, at: new Date(NOW.getTime() - 31 * 86_400_000).toISOString() });
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/older than the 30-day window/);
  });
});

describe("runtime samples file: appended, bounded, compacted", () => {
  let root: string;
  const repo = { owner: "acme", repo: "app" };
  const dir = (): string => path.join(root, "acme", "app");
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-runtime-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => rmSync(path.join(root, "acme"), { recursive: true, force: true }));

  it("a push appends one line: the file keeps its inode and its earlier bytes", async () => {
    const store = new FileRuntimeMetricsStore({ root, clock: () => NOW });
    await store.append(repo, "api", sample("2026-01-21T10:00:00.000Z"));
    const file = path.join(dir(), RUNTIME_FILE);
    const first = readFileSync(file, "utf8");
    const ino = statSync(file).ino;
    await store.append(repo, "api", sample("2026-01-21T10:01:00.000Z", false));
    const second = readFileSync(file, "utf8");
    expect(statSync(file).ino).toBe(ino);
    expect(second.startsWith(first)).toBe(true);
    expect(second.trim().split("\n")).toHaveLength(2);
    expect(JSON.parse(second.trim().split("\n")[1])).toMatchObject({ component: "api", up: false });
  });

  it("samples per component are capped, and the file is compacted once it holds more than twice the kept samples", async () => {
    const store = new FileRuntimeMetricsStore({ root, clock: () => NOW, maxSamplesPerComponent: 20, compactSlackLines: 5 });
    for (let i = 0; i < 120; i++) await store.append(repo, "api", sample(new Date(NOW.getTime() - (120 - i) * 60_000).toISOString(), i % 2 === 0));
    const kept = await store.samples(repo, "api");
    expect(kept).toHaveLength(20);
    expect(kept[19].at).toBe(new Date(NOW.getTime() - 60_000).toISOString());
    const lines = readFileSync(path.join(dir(), RUNTIME_FILE), "utf8").trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(2 * 20 + 5 + 1);
    // Another instance (another process) reads the same kept samples from the file.
    expect(await new FileRuntimeMetricsStore({ root, clock: () => NOW, maxSamplesPerComponent: 20 }).samples(repo, "api")).toEqual(kept);
  });

  it("two instances sharing the folder see each other's appends, across a compaction", async () => {
    const a = new FileRuntimeMetricsStore({ root, clock: () => NOW, compactSlackLines: 0, maxSamplesPerComponent: 3 });
    const b = new FileRuntimeMetricsStore({ root, clock: () => NOW, compactSlackLines: 0, maxSamplesPerComponent: 3 });
    const at = (m: number): string => new Date(NOW.getTime() - (100 - m) * 60_000).toISOString();
    await a.append(repo, "api", sample(at(1)));
    await b.append(repo, "api", sample(at(2)));
    await a.append(repo, "worker", sample(at(3)));
    for (let i = 4; i < 12; i++) await (i % 2 ? a : b).append(repo, "api", sample(at(i)));
    const fromA = await a.all(repo);
    expect(fromA).toEqual(await b.all(repo));
    expect(fromA.api.map((s) => s.at)).toEqual([at(9), at(10), at(11)]);
    expect(fromA.worker.map((s) => s.at)).toEqual([at(3)]);
  });

  it("a torn last line (crash mid-append) is skipped and does not swallow the next sample", async () => {
    mkdirSync(dir(), { recursive: true });
    const good = JSON.stringify({ component: "api", ...sample("2026-01-21T09:00:00.000Z") });
    writeFileSync(path.join(dir(), RUNTIME_FILE), `${good}\n{"component":"api","at":"2026-01-21T09:0`);
    const warnings: string[] = [];
    const store = new FileRuntimeMetricsStore({ root, clock: () => NOW, logger: { warn: (_o, m) => warnings.push(m) } });
    await store.append(repo, "api", sample("2026-01-21T10:00:00.000Z"));
    const fresh = new FileRuntimeMetricsStore({ root, clock: () => NOW, logger: { warn: (_o, m) => warnings.push(m) } });
    expect((await fresh.samples(repo, "api")).map((s) => s.at)).toEqual(["2026-01-21T09:00:00.000Z", "2026-01-21T10:00:00.000Z"]);
    expect(warnings.some((w) => /1 unreadable line skipped/.test(w))).toBe(true);
  });

  it("the earlier one-document file is read and converted on the first append", async () => {
    mkdirSync(dir(), { recursive: true });
    writeFileSync(path.join(dir(), LEGACY_RUNTIME_FILE), JSON.stringify({ api: [sample("2026-01-20T10:00:00.000Z")] }));
    const store = new FileRuntimeMetricsStore({ root, clock: () => NOW });
    expect((await store.samples(repo, "api")).map((s) => s.at)).toEqual(["2026-01-20T10:00:00.000Z"]);
    await store.append(repo, "api", sample("2026-01-21T10:00:00.000Z"));
    expect(readdirSync(dir()).filter((f) => !f.startsWith("."))).toEqual([RUNTIME_FILE]);
    expect((await new FileRuntimeMetricsStore({ root, clock: () => NOW }).samples(repo, "api")).map((s) => s.at)).toEqual(["2026-01-20T10:00:00.000Z", "2026-01-21T10:00:00.000Z"]);
  });

  it("the in-memory store applies the same cap", async () => {
    const mem = new MemoryRuntimeMetricsStore(() => NOW, 5);
    for (let i = 0; i < 12; i++) await mem.append(repo, "api", sample(new Date(NOW.getTime() - (12 - i) * 1000).toISOString()));
    expect(await mem.samples(repo, "api")).toHaveLength(5);
  });
});
