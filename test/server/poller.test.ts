import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthPoller } from "../../src/act/runtime/poller.js";
import { MemoryRuntimeMetricsStore, runtimeInputs, uptimeFromSamples, type RuntimeSample } from "../../src/act/runtime/metrics-store.js";
import { FileStore } from "../../src/store/file-store.js";
import { makeComponentHealth } from "../helpers/factories.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ref = { owner: "octo", repo: "app" };
let server: Server;
let bigSent = 0;
let bigClosedAfter: number | null = null;
let onBigClose: (() => void) | null = null;
let base: string;
const hits: string[] = [];
let dir: string;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  dir = mkdtempSync(path.join(tmpdir(), "cowabunga-poller-"));
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url === "/ok") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", error_rate: 2.5, memory_usage_mb: 300.4 }));
    else if (req.url === "/down") res.writeHead(503).end("maintenance");
    else if (req.url === "/hop") res.writeHead(302, { location: "/ok" }).end();
    else if (req.url === "/away") res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" }).end();
    else if (req.url === "/big") {
      // A body that never ends by itself: 64 KiB chunks for as long as the client keeps reading (at most 256 MiB).
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 0x78);
      let sent = 0;
      const pump = (): void => {
        while (sent < 256 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          bigSent = sent;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("close", () => {
        bigClosedAfter = sent;
        onBigClose?.();
      });
      pump();
    }
    else if (req.url === "/slow") setTimeout(() => res.writeHead(200).end("late"), 2_000).unref();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
  nock.enableNetConnect();
});

function poller(urls: Record<string, string>, opts: { allowPrivate: boolean; store?: FileStore; runtime?: MemoryRuntimeMetricsStore; timeoutMs?: number }) {
  const store = opts.store ?? new FileStore({ root: dir });
  const runtime = opts.runtime ?? new MemoryRuntimeMetricsStore();
  const p = new HealthPoller({
    store,
    runtime,
    timeoutMs: opts.timeoutMs ?? 1_000,
    guard: { allowPrivate: opts.allowPrivate, env: {} },
    targets: async () => [{ repo: ref, components: Object.entries(urls).map(([name, health_url]) => ({ name, health_url })) }],
  });
  return { p, store, runtime };
}

describe("HealthPoller", () => {
  it("refuses loopback URLs by default and never connects", async () => {
    const before = hits.length;
    const { p, runtime } = poller({ api: `${base}/ok` }, { allowPrivate: false });
    const [r] = await p.pollOnce();
    expect(r.up).toBe(false);
    expect(r.error).toMatch(/refusing .*127\.0\.0\.1.*loopback/);
    expect(hits.length).toBe(before);
    // The refusal is still a sample: a component whose URL is refused is not "up".
    expect((await runtime.samples(ref, "api"))[0]).toMatchObject({ up: false, source: "poll" });
  });

  it("refuses the metadata address even with a public-looking path", async () => {
    const { p } = poller({ api: "http://169.254.169.254/latest/meta-data" }, { allowPrivate: false });
    const [r] = await p.pollOnce();
    expect(r.error).toMatch(/link-local|metadata/);
  });

  it("with private URLs allowed: 2xx is up (metrics from the JSON body), 503 is down, uptime from the samples", async () => {
    const store = new FileStore({ root: dir });
    await store.putComponentHealth(ref, makeComponentHealth({ name: "api" }));
    const runtime = new MemoryRuntimeMetricsStore();
    const { p } = poller({ api: `${base}/ok`, ui: `${base}/down` }, { allowPrivate: true, store, runtime });
    const results = await p.pollOnce();
    expect(results.map((r) => [r.component, r.up, r.status])).toEqual([
      ["api", true, 200],
      ["ui", false, 503],
    ]);
    expect(results[1].error).toMatch(/HTTP 503/);
    const ins = await runtimeInputs(runtime, ref);
    expect(ins.api).toMatchObject({ uptime_percentage: 100, error_rate: 2.5, memory_usage_mb: 300 });
    expect(ins.ui).toMatchObject({ uptime_percentage: 0 });
    expect((await store.getComponentHealth(ref, "api"))?.uptime_percentage).toBe(100);
  });

  it("follows same-origin redirects, refuses redirects to another host", async () => {
    const { p } = poller({ a: `${base}/hop`, b: `${base}/away` }, { allowPrivate: true });
    const [a, b] = await p.pollOnce();
    expect(a.up).toBe(true);
    expect(b.up).toBe(false);
    expect(b.error).toMatch(/redirected to another host/);
  });

  it("reads at most 64 KiB of a body and times out slow endpoints", async () => {
    const { p } = poller({ big: `${base}/big`, slow: `${base}/slow` }, { allowPrivate: true, timeoutMs: 300 });
    const bigClosed = new Promise<void>((resolve) => (onBigClose = resolve));
    const [big, slow] = await p.pollOnce();
    expect(big.up).toBe(true);
    // The poller stopped reading near the 64 KiB cap and hung up: the server got to send only a few
    // socket buffers' worth, nowhere near the 256 MiB it would stream to a reader that reads it all.
    await bigClosed;
    expect(bigClosedAfter).not.toBeNull();
    expect(bigSent).toBeLessThan(16 * 1024 * 1024);
    expect(slow.up).toBe(false);
    expect(slow.error).toMatch(/no answer within 300 ms/);
  });
});

describe("uptimeFromSamples", () => {
  const s = (at: string, up: boolean | null, uptime: number | null = null): RuntimeSample => ({
    at,
    source: "push",
    up,
    uptime_percentage: uptime,
    error_rate: null,
    response_time_ms: null,
    memory_usage_mb: null,
    cpu_usage_percent: null,
    detail: null,
  });
  const now = new Date("2026-02-01T00:00:00Z");

  it("is the share of up samples in the last 30 days; older samples do not count", () => {
    expect(uptimeFromSamples([s("2025-12-01T00:00:00Z", false), s("2026-01-31T00:00:00Z", true), s("2026-01-31T01:00:00Z", true), s("2026-01-31T02:00:00Z", false)], now)).toBe(66.67);
  });

  it("falls back to the latest reported uptime_percentage, else null", () => {
    expect(uptimeFromSamples([s("2026-01-30T00:00:00Z", null, 99.5), s("2026-01-31T00:00:00Z", null, 98)], now)).toBe(98);
    expect(uptimeFromSamples([], now)).toBeNull();
  });
});
