import { describe, expect, it } from "vitest";
import { errorMessage } from "../../../src/act/notify/redact.js";

describe("errorMessage (review fixes)", () => {
  it("puts a multi-line error on one line and removes the secret URL", () => {
    const url = "https://hooks.slack.com/services/T000/B000/secretpart";
    const err = new Error(`request to ${url} failed\n   \n  socket hang up`);
    const msg = errorMessage(err, [url]);
    expect(msg).toBe("request to *** failed socket hang up");
    expect(msg).not.toContain("secretpart");
  });

  it("stays linear on an error body of long whitespace runs (old regex was quadratic)", () => {
    const err = new Error(`HTTP 500 ${" ".repeat(300_000)}x`);
    const msg = errorMessage(err);
    expect(msg.startsWith("HTTP 500")).toBe(true);
    expect(msg.length).toBeLessThanOrEqual(1000);
  });
});
