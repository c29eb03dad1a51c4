import type { ApplicationFunctionOptions } from "probot";
import { describe, expect, it } from "vitest";
import { MemoryRuntimeMetricsStore } from "../../src/act/runtime/index.js";
import { registerHttpRoutes, type ServerDeps } from "../../src/server/index.js";
import { FileStore } from "../../src/store/file-store.js";

describe("registerHttpRoutes", () => {
  it("adds one handler that claims /api/v1 and /dashboard paths only", async () => {
    const deps: ServerDeps = {
      store: new FileStore({ root: "/nonexistent-cowabunga-test" }),
      runtime: new MemoryRuntimeMetricsStore(),
      enqueueScan: async () => "job",
      requestUpdate: async () => "job",
      env: {},
    };
    const added: unknown[] = [];
    // Compile-time check: Probot's addHandler fits.
    const wire = (o: Pick<ApplicationFunctionOptions, "addHandler">): void => void registerHttpRoutes(o.addHandler, deps);
    wire({ addHandler: (h) => void added.push(h) });
    expect(added).toHaveLength(1);
    const handler = added[0] as (req: unknown, res: unknown) => Promise<boolean>;
    expect(await handler({ url: "/api/github/webhooks", method: "POST", headers: {} }, {})).toBe(false);
    expect(await handler({ url: "/probot", method: "GET", headers: {} }, {})).toBe(false);
  });
});
