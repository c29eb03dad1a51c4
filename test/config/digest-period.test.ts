import { describe, expect, it } from "vitest";
import { configuredDigestPeriod, digestDue, digestPeriodMs } from "../../src/act/notify/index.js";
import { parseConfigYaml } from "../../src/config/load.js";

describe("notifications.digest.period", () => {
  it("accepts periods shorter than a day and wins over email.digest", () => {
    const r = parseConfigYaml("notifications:\n  email:\n    digest: weekly\n  digest:\n    period: 30m\n", ".github/cowabunga.yml");
    expect(r.errors).toEqual([]);
    expect(configuredDigestPeriod(r.config.notifications)).toBe("30m");
    expect(digestPeriodMs("30m")).toBe(1_800_000);
    expect(digestPeriodMs("6h")).toBe(21_600_000);
    expect(configuredDigestPeriod(parseConfigYaml("", ".github/cowabunga.yml").config.notifications)).toBe("weekly");
  });

  it("rejects a period under 5 minutes or of no known unit, naming the file and line", () => {
    for (const bad of ["1m", "10s", "0h", "soon"]) {
      const r = parseConfigYaml(`notifications:\n  digest:\n    period: ${bad}\n`, ".github/cowabunga.yml");
      expect(r.errors.length, bad).toBeGreaterThan(0);
      expect(r.errors[0]!.file).toBe(".github/cowabunga.yml");
      expect(r.errors[0]!.line).toBe(3);
    }
  });

  it("is due once per period, with a tolerance of a tenth of a short period", () => {
    const at = (iso: string) => () => new Date(iso);
    const last = "2026-01-01T10:00:00Z";
    expect(digestDue(last, "1h", at("2026-01-01T10:53:00Z"))).toBe(false);
    expect(digestDue(last, "1h", at("2026-01-01T10:54:00Z"))).toBe(true);
    expect(digestDue(last, "off", at("2026-02-01T00:00:00Z"))).toBe(false);
  });
});
