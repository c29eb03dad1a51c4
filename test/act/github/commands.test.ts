import { describe, expect, it } from "vitest";
import { parseCommand, parseDeferDate } from "../../../src/act/github/commands.js";
import { renderConfigIssue } from "../../../src/act/github/config-issue.js";

describe("commands", () => {
  it("parses the first command line, case-insensitively", () => {
    expect(parseCommand("thanks!\n/cowabunga defer 2026-03-01 after the release")).toMatchObject({ verb: "defer", arg: "2026-03-01 after the release" });
    expect(parseCommand("/Cowabunga IGNORE")).toMatchObject({ verb: "ignore", arg: "" });
    expect(parseCommand("/cowabunga")).toMatchObject({ verb: "help" });
    expect(parseCommand("/cowabunga dance")).toMatchObject({ verb: "unknown" });
    expect(parseCommand("> /cowabunga rescan")).toBeNull();
    expect(parseCommand("see /cowabunga rescan")).toBeNull();
  });

  it("defer dates must be real calendar dates", () => {
    expect(parseDeferDate("2026-02-28")).toBe("2026-02-28");
    expect(parseDeferDate("2026-02-30")).toBeNull();
    expect(parseDeferDate("next week")).toBeNull();
  });
});

describe("config errors issue", () => {
  it("lists each error with a link to its line, escaping messages", () => {
    const body = renderConfigIssue(
      [
        { path: "issues.max_new_per_run", line: 4, severity: "error", message: "expected number, got string \"<b>|x\"", file: "acme/widgets:.github/cowabunga.yml" },
        { path: "(root)", line: null, severity: "error", message: "from _extends", file: ".github/cowabunga.yml" },
      ],
      { host: "github.com", owner: "acme", repo: "widgets", sha: "d".repeat(40) },
    );
    expect(body).toContain(`[4](https://github.com/acme/widgets/blob/${"d".repeat(40)}/.github/cowabunga.yml#L4)`);
    expect(body).toContain("&lt;b&gt;\\|x");
    expect(body).toContain("| n/a |");
  });
});
