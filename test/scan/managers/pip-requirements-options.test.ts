/** requirements.txt options: what pip knows is ignored quietly, what it does not is reported (issue 18 survivors). */
import { describe, expect, it } from "vitest";
import { pipManager } from "../../../src/scan/managers/pip.js";

function extract(files: Record<string, string>, file = "requirements.txt") {
  return pipManager.extract(file, files[file] ?? "", { readFile: (p) => files[p], allFiles: Object.keys(files) });
}

describe("requirements.txt options", () => {
  it("pip options the scan does not need are ignored without a warning, and their values are no requirements", () => {
    const content = [
      "--pre",
      "--prefer-binary",
      "--require-hashes",
      "--no-index",
      "--only-binary :all:",
      "--no-binary=lxml",
      "--find-links ./wheels",
      "-f https://example.invalid/wheels",
      "--trusted-host pypi.internal",
      "--use-feature=truststore",
      "--config-settings editable_mode=compat",
      "--global-option=--no-user-cfg",
      "--install-option=--prefix",
      "requests==2.31.0",
    ].join("\n");
    const r = extract({ "requirements.txt": content });
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.current_value, d.line])).toEqual([["requests", "==2.31.0", 14]]);
  });

  it("an option pip does not know is reported once, with its line", () => {
    const r = extract({ "requirements.txt": "flask==2.0.0\n--frobnicate\n" });
    expect(r.warnings).toEqual([expect.objectContaining({ file: "requirements.txt", line: 2, message: 'unsupported option "--frobnicate" ignored' })]);
    expect(r.deps.map((d) => d.name)).toEqual(["flask"]);
  });

  it("an ignored option that needs a value and has none is reported", () => {
    const r = extract({ "requirements.txt": "--find-links\nflask==2.0.0\n" });
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([[1, "--find-links needs a value"]]);
  });

  it("a missing -c constraint file is warned about, once, and a present one pins versions", () => {
    const missing = extract({ "requirements.txt": "-c constraints.txt\n--constraint constraints.txt\nflask\n" });
    expect(missing.warnings.map((w) => [w.line, w.message])).toEqual([[1, "constraint file constraints.txt not found"]]);

    const present = extract({ "requirements.txt": "-c constraints.txt\nflask\n", "constraints.txt": "flask==2.3.3\n" });
    expect(present.warnings).toEqual([]);
    const flask = present.deps.find((d) => d.name === "flask")!;
    expect(flask.locked_version).toBe("2.3.3");
  });
});
