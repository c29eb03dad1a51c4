/**
 * pnpm-workspace.yaml with lines: `packages`, the default `catalog`, named `catalogs` and `overrides`
 * (https://pnpm.io/catalogs, https://pnpm.io/settings#overrides). Lines are kept because a catalog
 * entry or an override is where an update edits.
 */
import { getPair, kindOf, mapEntries, pairLine, scalarText } from "../image-ref.js";
import { isYMap, isYScalar, isYSeq, parseYaml } from "../yaml-ast.js";

export interface CatalogEntry {
  /** "default" for the top-level `catalog:` (and `catalogs.default`). */
  catalog: string;
  name: string;
  value: string;
  line: number;
}

export interface OverrideEntry {
  /** As written: "enzyme>cheerio", "protobufjs@8", "lodash". */
  key: string;
  value: string;
  line: number;
}

export interface PnpmWorkspaceFile {
  packages: string[];
  entries: CatalogEntry[];
  overrides: OverrideEntry[];
  /** Shape problems (a catalog that is not a map, a non-string version), with their lines. */
  problems: Array<{ line: number | null; message: string }>;
}

export type PnpmWorkspaceFileParse = { ok: true; workspace: PnpmWorkspaceFile } | { ok: false; message: string; line: number | null };

/** Bound on entries read from one file: a hostile workspace file cannot make the scan quadratic. */
const MAX_ENTRIES = 20_000;

export function parsePnpmWorkspaceFile(file: string, content: string): PnpmWorkspaceFileParse {
  const { docs, warnings } = parseYaml(file, content, "npm");
  if (warnings.length > 0 && docs.length === 0) return { ok: false, message: warnings[0].message, line: warnings[0].line };
  const root = docs[0]?.contents ?? null;
  const ws: PnpmWorkspaceFile = { packages: [], entries: [], overrides: [], problems: [] };
  if (warnings.length > 0) ws.problems.push(...warnings.map((w) => ({ line: w.line, message: w.message })));
  if (root === null || (isYScalar(root) && root.value === null)) return { ok: true, workspace: ws };
  if (!isYMap(root)) return { ok: false, message: `expected a map at the top level, found ${kindOf(root)}`, line: 1 };

  const pkgs = getPair(root, "packages")?.value;
  if (isYSeq(pkgs)) for (const item of pkgs.items) {
    const t = scalarText(item);
    if (t !== null) ws.packages.push(t);
  }

  const readCatalog = (catalog: string, node: unknown, where: string, line: number | null): void => {
    if (node === undefined || (isYScalar(node) && node.value === null)) return;
    if (!isYMap(node)) {
      ws.problems.push({ line, message: `${where} should be a map of package: version, found ${kindOf(node)}` });
      return;
    }
    for (const e of mapEntries(node)) {
      if (ws.entries.length >= MAX_ENTRIES) return;
      const value = scalarText(e.value);
      if (value === null || !isYScalar(e.value)) {
        ws.problems.push({ line: e.keyNode.line, message: `${where}: ${JSON.stringify(e.key.slice(0, 80))} should be a version string, found ${kindOf(e.value)}` });
        continue;
      }
      ws.entries.push({ catalog, name: e.key, value, line: e.keyNode.line });
    }
  };
  const catalogPair = getPair(root, "catalog");
  if (catalogPair) readCatalog("default", catalogPair.value, "catalog", pairLine(catalogPair));
  const catalogsPair = getPair(root, "catalogs");
  if (catalogsPair) {
    if (!isYMap(catalogsPair.value)) {
      if (!(isYScalar(catalogsPair.value) && catalogsPair.value.value === null))
        ws.problems.push({ line: pairLine(catalogsPair), message: `catalogs should be a map of catalog name: entries, found ${kindOf(catalogsPair.value)}` });
    } else {
      for (const c of mapEntries(catalogsPair.value)) readCatalog(c.key, c.value, `catalogs.${c.key}`, c.keyNode.line);
    }
  }

  const overridesPair = getPair(root, "overrides");
  if (overridesPair && !(isYScalar(overridesPair.value) && overridesPair.value.value === null)) {
    if (!isYMap(overridesPair.value)) ws.problems.push({ line: pairLine(overridesPair), message: `overrides should be a map of selector: version, found ${kindOf(overridesPair.value)}` });
    else
      for (const e of mapEntries(overridesPair.value)) {
        if (ws.overrides.length >= MAX_ENTRIES) break;
        const value = scalarText(e.value);
        if (value === null || !isYScalar(e.value)) {
          ws.problems.push({ line: e.keyNode.line, message: `overrides: ${JSON.stringify(e.key.slice(0, 80))} should be a version string, found ${kindOf(e.value)}` });
          continue;
        }
        ws.overrides.push({ key: e.key, value, line: e.keyNode.line });
      }
  }
  return { ok: true, workspace: ws };
}

/** The catalog named by a `catalog:` reference: "catalog:" and "catalog:default" → "default". */
export function catalogNameOf(reference: string): string {
  const which = reference.trim().slice("catalog:".length).trim();
  return which === "" ? "default" : which;
}

/** The entry a `catalog:<name>` reference resolves to for a package, or null. */
export function findCatalogEntry(ws: PnpmWorkspaceFile, reference: string, pkg: string): CatalogEntry | null {
  const catalog = catalogNameOf(reference);
  return ws.entries.find((e) => e.catalog === catalog && e.name === pkg) ?? null;
}

/**
 * The package an override selector forces: "a", "a@<2" → a; "parent>a", "parent@1>a@2" → a;
 * "@scope/a@1" → @scope/a. The part before the last ">" is the parent scope.
 */
export function overrideTarget(key: string): { name: string; selector: string | null } {
  const gt = key.lastIndexOf(">");
  const target = key.slice(gt + 1).trim();
  const at = target.indexOf("@", target.startsWith("@") ? 1 : 0);
  const name = at > 0 ? target.slice(0, at) : target;
  return { name, selector: key === name ? null : key };
}
