import { describe, expect, it } from "vitest";
import { unlessNotFound } from "../../../src/enrich/datasources/util.js";
import { DatasourceError } from "../../../src/enrich/types.js";

describe("unlessNotFound", () => {
  it("resolves with the body", async () => {
    await expect(unlessNotFound(Promise.resolve({ a: 1 }))).resolves.toEqual({ a: 1 });
  });

  it("turns 404 and 410 into undefined", async () => {
    for (const status of [404, 410]) {
      await expect(unlessNotFound(Promise.reject(new DatasourceError("gone", "GET https://r/x", status)))).resolves.toBeUndefined();
    }
  });

  it("lets every other failure through", async () => {
    const err = new DatasourceError("server error", "GET https://r/x", 500);
    await expect(unlessNotFound(Promise.reject(err))).rejects.toBe(err);
    await expect(unlessNotFound(Promise.reject(new Error("socket hang up")))).rejects.toThrow("socket hang up");
  });
});
