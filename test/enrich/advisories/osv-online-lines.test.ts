/**
 * The OSV client's streamed line reader (`readLinesLimited`, used for OSV's `modified_id.csv`), its
 * content negotiation and its retry waits, at the edges the mutation run of osv-online.ts found
 * untested. Bodies are built chunk by chunk in memory; no network.
 */
import { LRUCache } from "lru-cache";
import { describe, expect, it } from "vitest";
import { fetchHttp, OsvOnlineSource, readLinesLimited, type LineLimits, type OsvHttp } from "../../../src/enrich/advisories/osv-online.js";
import type { OsvVulnerability } from "../../../src/enrich/advisories/types.js";

const enc = new TextEncoder();
const roomy: LineLimits = { maxBytes: 1 << 20, maxLines: 1000, maxLineBytes: 1000 };

/** A Response whose body arrives in the given chunks; records how many were pulled and whether it was cancelled. */
function chunked(chunks: Array<string | Uint8Array>): { res: Response; pulled: () => number; cancelled: () => boolean } {
  let i = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i >= chunks.length) return controller.close();
      const c = chunks[i++]!;
      controller.enqueue(typeof c === "string" ? enc.encode(c) : c);
    },
    cancel() {
      cancelled = true;
    },
  });
  return { res: new Response(stream), pulled: () => i, cancelled: () => cancelled };
}

async function read(chunks: Array<string | Uint8Array>, limits: LineLimits = roomy, stopAt?: number) {
  const got: Array<[number, string]> = [];
  const body = chunked(chunks);
  const out = await readLinesLimited(body.res, "GET http://osv.test/npm/modified_id.csv", (line, n) => {
    got.push([n, line]);
    return n === stopAt ? "stop" : "continue";
  }, limits);
  return { got, out, body };
}

describe("readLinesLimited", () => {
  it("delivers each line once, numbered from 1, with CRLF and split lines joined", async () => {
    const { got, out } = await read(["2024-01-02T00:00:00Z,A\r\n2024-01", "-01T00:00:00Z,B\n", "\n", "last"]);
    expect(got).toEqual([
      [1, "2024-01-02T00:00:00Z,A"],
      [2, "2024-01-01T00:00:00Z,B"],
      [3, ""],
      [4, "last"],
    ]);
    expect(out).toEqual({ lines: 4, bytes: 24 + 7 + 16 + 1 + 4, stopped: false });
  });

  it("an empty first line is a line; a body ending in a newline has no empty last line", async () => {
    const { got, out } = await read(["\nx\n"]);
    expect(got).toEqual([
      [1, ""],
      [2, "x"],
    ]);
    expect(out).toEqual({ lines: 2, bytes: 3, stopped: false });
  });

  it("only a carriage return at the end of a line is dropped", async () => {
    const { got } = await read(["\rA\r\nB\r\r\n"]);
    expect(got.map(([, l]) => l)).toEqual(["\rA", "B\r"]);
  });

  it("decodes a UTF-8 character split across chunks, and an unfinished one at the end as U+FFFD", async () => {
    const e = enc.encode("é"); // C3 A9
    const { got } = await read([Uint8Array.of(0x61, e[0]!), Uint8Array.of(e[1]!, 0x0a), Uint8Array.of(0x62, 0xc3)]);
    expect(got.map(([, l]) => l)).toEqual(["aé", "b\ufffd"]);
  });

  it("stopping at a line returns at once, cancels the transfer and reads no further chunk", async () => {
    const { got, out, body } = await read(["a\nb\nc\n", "d\n", "e\n"], roomy, 2);
    expect(got.map(([, l]) => l)).toEqual(["a", "b"]);
    expect(out).toEqual({ lines: 2, bytes: 6, stopped: true });
    expect(body.cancelled()).toBe(true);
    expect(body.pulled()).toBe(1);
  });

  it("stopping at a last line without a newline reports stopped", async () => {
    const { got, out } = await read(["a\nb"], roomy, 2);
    expect(got.map(([, l]) => l)).toEqual(["a", "b"]);
    expect(out).toEqual({ lines: 2, bytes: 3, stopped: true });
  });

  it("no body: no lines", async () => {
    let called = false;
    const out = await readLinesLimited(new Response(null), "GET x", () => ((called = true), "continue"), roomy);
    expect(out).toEqual({ lines: 0, bytes: 0, stopped: false });
    expect(called).toBe(false);
  });

  it("allows exactly maxLines lines and refuses one more, naming the request", async () => {
    const limits = { ...roomy, maxLines: 3 };
    expect((await read(["a\nb\nc\n"], limits)).out.lines).toBe(3);
    expect((await read(["a\nb\nc"], limits)).out.lines).toBe(3);
    await expect(read(["a\nb\nc\nd\n"], limits)).rejects.toThrow("GET http://osv.test/npm/modified_id.csv: more than 3 lines");
    await expect(read(["a\nb\nc\nd"], limits)).rejects.toThrow("more than 3 lines");
  });

  it("allows exactly maxBytes bytes and refuses one more, cancelling the transfer", async () => {
    const limits = { ...roomy, maxBytes: 6 };
    expect((await read(["abc\n", "de"], limits)).out).toEqual({ lines: 2, bytes: 6, stopped: false });
    const body = chunked(["abc\n", "def"]);
    await expect(readLinesLimited(body.res, "GET u", () => "continue", limits)).rejects.toThrow("GET u: body over the 6-byte limit");
    expect(body.cancelled()).toBe(true);
  });

  it("allows a line of exactly maxLineBytes characters and names the line number of a longer one", async () => {
    const limits = { ...roomy, maxLineBytes: 4 };
    expect((await read(["abcd\nwxyz"], limits)).got.map(([, l]) => l)).toEqual(["abcd", "wxyz"]);
    await expect(read(["ok\nabcde\n"], limits)).rejects.toThrow("GET http://osv.test/npm/modified_id.csv: line 2 is longer than 4 characters");
    // A line still growing across chunks is refused before its end arrives.
    const body = chunked(["ok\nabc", "de", "fgh\n"]);
    await expect(readLinesLimited(body.res, "GET u", () => "continue", limits)).rejects.toThrow("GET u: line 2 is longer than 4 characters");
    expect(body.pulled()).toBe(2);
    // Exactly the limit while unfinished is fine.
    expect((await read(["ok\nabc", "d"], limits)).got.map(([, l]) => l)).toEqual(["ok", "abcd"]);
  });
});

describe("fetchHttp content negotiation", () => {
  function recording() {
    const seen: Array<{ method: string | undefined; headers: Record<string, string> }> = [];
    const f = (async (_u: string | URL | Request, init?: RequestInit) => {
      seen.push({ method: init?.method, headers: { ...(init?.headers as Record<string, string>) } });
      return new Response('{"ok":true}\n', { status: 200, headers: { "content-type": "application/json" } });
    }) as typeof fetch;
    return { http: fetchHttp(f, 1000, { redirectGuard: null, dispatcher: null }), seen };
  }

  it("asks for JSON from the API and for text from the CSV export", async () => {
    const { http, seen } = recording();
    await http.postJson("http://osv.test/v1/querybatch", {});
    await http.getJson("http://osv.test/v1/vulns/X");
    await http.streamLines("http://osv.test/npm/modified_id.csv", () => "continue", roomy);
    expect(seen).toEqual([
      { method: "POST", headers: { "content-type": "application/json", accept: "application/json" } },
      { method: "GET", headers: { accept: "application/json" } },
      { method: "GET", headers: { accept: "text/csv, text/plain" } },
    ]);
  });

  it("a 2xx with a Location header is an answer, not a redirect", async () => {
    const calls: string[] = [];
    const f = (async (u: string | URL | Request) => {
      calls.push(String(u));
      return new Response('{"created":1}', { status: 201, headers: { location: "http://osv.test/elsewhere" } });
    }) as typeof fetch;
    expect(await fetchHttp(f, 1000, { redirectGuard: null, dispatcher: null }).getJson("http://osv.test/a")).toEqual({ created: 1 });
    expect(calls).toEqual(["http://osv.test/a"]);
  });

  it("the line reader follows redirects like the JSON calls", async () => {
    const answers = [new Response(null, { status: 302, headers: { location: "/mirror/modified_id.csv" } }), new Response("a\nb\n", { status: 200 })];
    const urls: string[] = [];
    const f = (async (u: string | URL | Request) => (urls.push(String(u)), answers.shift()!)) as typeof fetch;
    const lines: string[] = [];
    const out = await fetchHttp(f, 1000, { redirectGuard: null, dispatcher: null }).streamLines("http://osv.test/npm/modified_id.csv", (l) => (lines.push(l), "continue"), roomy);
    expect(urls).toEqual(["http://osv.test/npm/modified_id.csv", "http://osv.test/mirror/modified_id.csv"]);
    expect([lines, out]).toEqual([["a", "b"], { lines: 2, bytes: 4, stopped: false }]);
  });
});

describe("OsvOnlineSource retry waits", () => {
  const cache = () => new LRUCache<string, OsvVulnerability>({ max: 10 });
  const failing = (message: string): { http: OsvHttp; posts: () => number } => {
    let n = 0;
    return {
      http: {
        postJson: async () => {
          n++;
          throw new Error(message);
        },
        getJson: async () => ({}),
      },
      posts: () => n,
    };
  };

  it("waits delay × attempt before each retry, and not after the last attempt", async () => {
    const waits: number[] = [];
    const { http, posts } = failing("HTTP 503");
    const s = new OsvOnlineSource({ http, cache: cache(), retries: 3, retryDelayMs: 100, sleep: async (ms) => void waits.push(ms) });
    await s.query([{ ecosystem: "npm", name: "p", version: "1.0.0" }]);
    expect(posts()).toBe(4);
    expect(waits).toEqual([100, 200, 300]);
  });

  it("no wait with a zero delay, none for a 4xx that is not retried, and none before the first attempt", async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    await new OsvOnlineSource({ http: failing("HTTP 503").http, cache: cache(), retries: 2, retryDelayMs: 0, sleep }).query([{ ecosystem: "npm", name: "p", version: "1" }]);
    await new OsvOnlineSource({ http: failing("HTTP 404").http, cache: cache(), retries: 2, retryDelayMs: 50, sleep }).query([{ ecosystem: "npm", name: "p", version: "1" }]);
    await new OsvOnlineSource({ http: failing("HTTP 500").http, cache: cache(), retries: 0, retryDelayMs: 50, sleep }).query([{ ecosystem: "npm", name: "p", version: "1" }]);
    expect(waits).toEqual([]);
  });

  it("a network error that merely mentions an HTTP 4xx is retried (only an answer's own status is final)", async () => {
    const { http, posts } = failing("proxy: upstream said HTTP 403 then hung up");
    await new OsvOnlineSource({ http, cache: cache(), retries: 1, retryDelayMs: 0 }).query([{ ecosystem: "npm", name: "p", version: "1" }]);
    expect(posts()).toBe(2);
  });

  it("has no warnings before its first query", () => {
    expect(new OsvOnlineSource({ http: failing("x").http, cache: cache() }).warnings).toEqual([]);
  });
});
