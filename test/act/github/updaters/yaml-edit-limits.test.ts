/** Hostile YAML in the update path (issue 10 item 1 audit): deep nesting is an error naming the file. */
import { describe, expect, it } from "vitest";
import { indexYaml, reparseError } from "../../../../src/act/github/updaters/yaml-edit.js";

describe("yaml-edit under hostile input", () => {
  it("a deeply nested file is refused with its name, never a stack overflow", () => {
    const deep = `image: nginx:1.25\nx: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`;
    const r = indexYaml("charts/app/values.yaml", deep);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBe("charts/app/values.yaml: YAML is nested too deeply to edit safely; not edited");
    }
    expect(reparseError("charts/app/values.yaml", deep)).toContain("nested too deeply");
  });

  it("aliases are indexed once, not expanded", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? "*a" : `*l${i - 1}`).join(", ")}]`);
    const r = indexYaml("values.yaml", levels.join("\n"));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.scalars).toHaveLength(10);
  });
});
