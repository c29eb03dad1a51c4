import { OsvVulnerability } from "../../../src/enrich/advisories/types.js";

type RawRange = { type: string; events: Array<Record<string, string>> };

/** Build a valid OSV record for one package with the given ranges / versions. */
export function record(
  id: string,
  ecosystem: string,
  name: string,
  ranges: RawRange[],
  extra: Record<string, unknown> = {},
  versions: string[] = [],
): OsvVulnerability {
  return OsvVulnerability.parse({
    id,
    modified: "2024-01-01T00:00:00Z",
    affected: [{ package: { ecosystem, name }, ranges, versions }],
    ...extra,
  });
}

export const eco = (...events: Array<Record<string, string>>): RawRange => ({ type: "ECOSYSTEM", events });
export const sem = (...events: Array<Record<string, string>>): RawRange => ({ type: "SEMVER", events });
