import { describe, expect, it } from "vitest";
import { checkCompatibility } from "../../src/enrich/compatibility.js";
import type { Release } from "../../src/enrich/types.js";

function rel(extra: Partial<Release>): Release {
  return { version: "2.0.0", release_date: null, deprecated: false, yanked: false, ...extra };
}

describe("checkCompatibility", () => {
  it("npm engines.node: subset is compatible, partial or no overlap incompatible", () => {
    expect(checkCompatibility("npm", rel({ node_engines: ">=18" }), { node_engines: ">=20" }).status).toBe("compatible");
    const partial = checkCompatibility("npm", rel({ node_engines: ">=20" }), { node_engines: ">=18" });
    expect(partial.status).toBe("incompatible");
    expect(partial.reasons[0]).toMatch(/excludes part of the component's >=18/);
    expect(partial.target_version).toBe("2.0.0");
    expect(checkCompatibility("npm", rel({ node_engines: ">=22" }), { node_engines: "^18 || ^20" }).reasons[0]).toMatch(/excludes every/);
  });
  it("PyPI requires_python: PEP 440 subset check", () => {
    expect(checkCompatibility("pypi", rel({ requires_python: ">=3.8" }), { requires_python: ">=3.11,<3.13" }).status).toBe("compatible");
    const r = checkCompatibility("pypi", rel({ requires_python: ">=3.12" }), { requires_python: ">=3.11" });
    expect(r.status).toBe("incompatible");
    expect(r.reasons[0]).toMatch(/requires-python >=3.12 excludes 3\.11\.\d+, allowed by the component's >=3.11/);
  });
  it("crates rust_version: the target's minimum must not exceed the component's", () => {
    expect(checkCompatibility("crates", rel({ rust_version: "1.70" }), { rust_version: "1.74" }).status).toBe("compatible");
    expect(checkCompatibility("crates", rel({ rust_version: "1.80" }), { rust_version: "1.74" }).status).toBe("incompatible");
  });
  it("unknown when nothing can be checked", () => {
    expect(checkCompatibility("npm", rel({}), { node_engines: ">=18" }).status).toBe("unknown");
    expect(checkCompatibility("npm", rel({ node_engines: ">=18" }), {}).status).toBe("unknown");
    expect(checkCompatibility("npm", null, {}).status).toBe("unknown");
    expect(checkCompatibility("pypi", rel({ requires_python: "not a spec!!" }), { requires_python: ">=3.8" }).status).toBe("unknown");
    // engines.node is not checked for a PyPI package.
    expect(checkCompatibility("pypi", rel({ node_engines: ">=99" }), { node_engines: ">=18" }).status).toBe("unknown");
  });
});
