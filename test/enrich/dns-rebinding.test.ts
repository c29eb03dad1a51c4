/**
 * DNS rebinding (issue 10 item 3): the guard's lookup says "public", the next lookup says
 * "127.0.0.1". The connection must go to a vetted address or be refused; a local server proves that
 * nothing reaches it. The host name is the machine's own name, which the system resolver answers
 * with a local address: a client that resolved again on its own would reach the server.
 */
import { lookup } from "node:dns/promises";
import { createServer, type Server } from "node:http";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackChannel } from "../../src/act/notify/index.js";
import { HealthPoller } from "../../src/act/runtime/poller.js";
import { MemoryRuntimeMetricsStore } from "../../src/act/runtime/metrics-store.js";
import { fetchHttp } from "../../src/enrich/advisories/osv-online.js";
import { createGuardedAgent, guardedLookup } from "../../src/enrich/guarded-agent.js";
import { HttpClient } from "../../src/enrich/http.js";
import type { ResolvedAddress, Resolver } from "../../src/enrich/url-guard.js";
import { makeAlert } from "../act/notify/peers.js";

/** Public first, then the local address: a rebinding DNS server. Counts its answers. */
function rebinding(local: ResolvedAddress): Resolver & { calls: number } {
  const r = Object.assign(
    async (): Promise<ResolvedAddress[]> => {
      r.calls++;
      return r.calls === 1 ? [{ address: "203.0.113.10", family: 4 }] : [local];
    },
    { calls: 0 },
  );
  return r;
}

describe("DNS rebinding", () => {
  let server: Server;
  let hits = 0;
  let host: string;
  let local: ResolvedAddress;
  let port: number;
  beforeAll(async () => {
    // The machine's own name, which the system resolver answers locally. Where it does not resolve,
    // any name serves: the guarded paths only ever ask the injected resolver.
    host = hostname();
    local = await lookup(host).catch(() => {
      host = "rebind.invalid";
      return { address: "127.0.0.1", family: 4 };
    });
    server = createServer((_req, res) => {
      hits++;
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, local.address, () => r()));
    const addr = server.address();
    port = typeof addr === "object" && addr ? addr.port : 0;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });
  const url = () => `http://${host}:${port}/health`;

  it("the registry HTTP client checks the address it connects to, and never reaches the rebound one", async () => {
    const resolve = rebinding(local);
    const http = new HttpClient({ resolve, retries: 0, timeoutMs: 2_000 });
    const before = hits;
    const err = await http.request(url()).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).not.toBeNull();
    expect(hits).toBe(before);
    // The guard's lookup (public) passed; the connection's own lookup got the local address and refused it.
    expect(resolve.calls).toBe(2);
    expect(err?.message).toMatch(/refusing to connect to .*loopback|refusing to connect to .*private/);
  });

  it("the health poller reports the refusal as down, and never reaches the rebound address", async () => {
    const resolve = rebinding(local);
    const poller = new HealthPoller({
      store: undefined as never,
      runtime: new MemoryRuntimeMetricsStore(),
      targets: async () => [],
      timeoutMs: 2_000,
      guard: { resolve, env: {} },
    });
    const before = hits;
    const r = await poller.check(url());
    expect(r.up).toBe(false);
    expect(hits).toBe(before);
    expect(r.error).toMatch(/refusing to connect/);
  });

  it("the OSV client's connections go through the same guard", async () => {
    const resolve = rebinding(local);
    resolve.calls = 1; // the caller's guard already had its public answer
    const http = fetchHttp(globalThis.fetch, 2_000, { dispatcher: createGuardedAgent({ resolve, env: {} }) });
    const before = hits;
    await expect(http.getJson(url())).rejects.toThrow();
    expect(hits).toBe(before);
  });

  it("the Slack notifier's connection goes through the same guard", async () => {
    const resolve = rebinding(local);
    const channel = new SlackChannel({ url: `http://${host}:${port}/hooks/T0/B0/X`, env: {}, resolve, timeoutMs: 2_000 });
    const before = hits;
    await expect(channel.send(makeAlert())).rejects.toThrow();
    expect(hits).toBe(before);
    expect(resolve.calls).toBe(2);
  });

  it("every address of an answer is checked, IPv4-mapped IPv6 included", async () => {
    for (const answer of [
      [{ address: "203.0.113.10", family: 4 }, local],
      [{ address: "::ffff:127.0.0.1", family: 6 }],
      [{ address: "::ffff:a9fe:a9fe", family: 6 }],
    ]) {
      const look = guardedLookup({ resolve: async () => answer, env: {} });
      const result = await new Promise<{ err: Error | null; addresses: unknown }>((done) =>
        look("rebind.example", { all: true }, (err, addresses) => done({ err, addresses })),
      );
      expect(result.err?.message, JSON.stringify(answer)).toMatch(/refusing to connect to rebind.example/);
    }
  });

  it("a public answer is what the socket connects to (pinned), in both callback shapes", async () => {
    const look = guardedLookup({ resolve: async () => [{ address: "203.0.113.10", family: 4 }, { address: "2001:db8::1", family: 6 }], env: {} });
    const all = await new Promise<unknown>((done) => look("ok.example", { all: true }, (_e, a) => done(a)));
    expect(all).toEqual([
      { address: "203.0.113.10", family: 4 },
      { address: "2001:db8::1", family: 6 },
    ]);
    const one = await new Promise<unknown>((done) => look("ok.example", { family: 6 }, (_e, a, f) => done([a, f])));
    expect(one).toEqual(["2001:db8::1", 6]);
  });

  it("with COWABUNGA_ALLOW_PRIVATE_URLS=true a private answer is used (self-hosted mirrors)", async () => {
    const http = new HttpClient({ retries: 0, dispatcher: createGuardedAgent({ resolve: async () => [local], env: { COWABUNGA_ALLOW_PRIVATE_URLS: "true" } }), urlGuard: async () => {} });
    const before = hits;
    const res = await http.request(url());
    expect(res.status).toBe(200);
    expect(hits).toBe(before + 1);
  });
});
