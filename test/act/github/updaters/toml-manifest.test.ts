import { describe, expect, it } from "vitest";
import { updateCargoToml } from "../../../../src/act/github/updaters/cargo.js";
import type { UpdateTarget } from "../../../../src/act/github/updaters/common.js";
import { updatePyproject } from "../../../../src/act/github/updaters/pip.js";
import { editTomlManifest } from "../../../../src/act/github/updaters/toml-rewrite.js";

const target = (name: string, line: number | null, package_manager: UpdateTarget["package_manager"] = "cargo"): UpdateTarget => ({
  name,
  current_value: "1.0",
  version: "1.0",
  line,
  package_manager,
});

describe("editTomlManifest (shared by the Cargo.toml and pyproject.toml updaters)", () => {
  it("refuses a file that is not valid TOML, naming it", () => {
    const r = updateCargoToml("crates/a/Cargo.toml", "[dependencies\nserde = \"1.0\"\n", target("serde", 2), "1.1");
    expect(r).toEqual({ error: expect.stringMatching(/^crates\/a\/Cargo\.toml: invalid TOML \(.+\); not edited$/) });
  });

  it("refuses an edit that would break the TOML, naming file and line", () => {
    const content = '[dependencies]\nserde = "1.0"\n';
    const r = editTomlManifest("Cargo.toml", content, target("serde", 2), (t) => t.startsWith("serde"), (lines, idx) => {
      lines[idx] = { ...lines[idx], text: 'serde = "1.1' };
      return { ok: true };
    });
    expect(r).toEqual({ error: expect.stringMatching(/^Cargo\.toml:2: the edit would break the TOML \(.+\)$/) });
  });

  it("reports the edit's own reason at the chosen line", () => {
    const r = editTomlManifest("Cargo.toml", '[dependencies]\nserde = "1.0"\n', target("serde", 2), () => true, () => ({ ok: false, reason: "not a simple range" }));
    expect(r).toEqual({ error: "Cargo.toml:2: not a simple range" });
  });

  it("edits Cargo and pyproject (PEP 621 and Poetry) lines", () => {
    expect(updateCargoToml("Cargo.toml", '[dependencies]\nserde = "1.0"\n', target("serde", 2), "1.1")).toEqual({ content: '[dependencies]\nserde = "1.1"\n' });
    const pep = '[project]\nname = "x"\ndependencies = [\n  "requests>=1.0",\n]\n';
    expect(updatePyproject("pyproject.toml", pep, target("requests", 4, "pip"), "2.0")).toEqual({ content: pep.replace(">=1.0", ">=2.0") });
    const poetry = '[tool.poetry.dependencies]\nrequests = "^1.0"\n';
    expect(updatePyproject("pyproject.toml", poetry, target("requests", 2, "pip"), "2.0")).toEqual({ content: poetry.replace("^1.0", "^2.0") });
  });
});
