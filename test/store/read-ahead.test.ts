import { describe, expect, it } from "vitest";
import { readAhead } from "../../src/store/read-ahead.js";

describe("readAhead", () => {
  it("gives every result in the items' order, with at most `ahead` reads started beyond the one awaited", async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const release = new Map<number, () => void>();
    const read = async (n: number) => {
      started.push(n);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => release.set(n, r));
      inFlight--;
      return n * 10;
    };
    const out: number[] = [];
    for (const [n, p] of readAhead([1, 2, 3, 4, 5, 6], 2, read)) {
      // Only the awaited one and the next two have started.
      expect(started).toEqual([1, 2, 3, 4, 5, 6].slice(0, Math.min(6, n + 2)));
      // Finish them in reverse: the order of the results is still the items'.
      for (const k of [...release.keys()].sort((a, b) => b - a)) release.get(k)!();
      release.clear();
      out.push(await p);
    }
    expect(out).toEqual([10, 20, 30, 40, 50, 60]);
    expect(most).toBeLessThanOrEqual(3);
  });

  it("a failed read rejects when its turn comes, not before, and leaves no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      const seen: string[] = [];
      const gen = readAhead(["a", "bad", "c"], 2, async (x) => {
        if (x === "bad") throw new Error("disk says no");
        return x;
      });
      for (const [x, p] of gen) {
        try {
          seen.push(await p);
        } catch (e) {
          seen.push(`${x}: ${(e as Error).message}`);
        }
      }
      expect(seen).toEqual(["a", "bad: disk says no", "c"]);
      // Abandoned midway: the reads already started settle without an unhandled rejection.
      for (const [, p] of readAhead(["x", "bad", "bad"], 2, async (x) => (x === "bad" ? Promise.reject(new Error("no")) : x))) {
        expect(await p).toBe("x");
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
