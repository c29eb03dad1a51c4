import { describe, expect, it } from "vitest";
import { ciTarget, routeOfPrEvent } from "../../src/app/pr-routes.js";

describe("update-PR event routing", () => {
  it("routes closed PRs to records and completed CI to validation", () => {
    expect(routeOfPrEvent("pull_request", "closed")?.handler).toBe("records");
    expect(routeOfPrEvent("pull_request", "opened")).toBeNull();
    for (const e of ["check_suite", "check_run", "workflow_run"]) expect(routeOfPrEvent(e, "completed")?.handler).toBe("validation");
    expect(routeOfPrEvent("check_suite", "requested")).toBeNull();
    expect(routeOfPrEvent("status", undefined)?.handler).toBe("validation");
  });

  it("takes head SHA and PR number from each CI payload", () => {
    expect(ciTarget("check_suite", { check_suite: { head_sha: "a", pull_requests: [{ number: 4 }] } })).toEqual({ headSha: "a", prNumber: 4 });
    expect(ciTarget("workflow_run", { workflow_run: { head_sha: "b" } })).toEqual({ headSha: "b", prNumber: null });
    expect(ciTarget("status", { sha: "c", state: "success" })).toEqual({ headSha: "c", prNumber: null });
    expect(ciTarget("status", { sha: "c", state: "pending" })).toBeNull();
  });
});
