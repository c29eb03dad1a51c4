import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHttpClient, type HttpClientOptions } from "../../../src/enrich/http.js";
import type { LookupRequest } from "../../../src/enrich/types.js";
import type { DatasourceName } from "../../../src/scan/types.js";

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, "../../fixtures/enrich/registries");

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), "utf8");
}

export function testClient(extra: HttpClientOptions = {}) {
  const sleeps: number[] = [];
  let now = Date.parse("2025-01-01T00:00:00Z");
  const http = createHttpClient({
    urlGuard: null,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => now,
    random: () => 0.5,
    ...extra,
  });
  return { http, sleeps, now: () => now, advance: (ms: number) => (now += ms) };
}

export function lookup(datasource: DatasourceName, name: string, current_value = "", registry_url: string | null = null): LookupRequest {
  return { datasource, name, current_value, registry_url };
}
