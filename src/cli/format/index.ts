import type { ScanResult } from "../../scan/types.js";
import { formatScanCsv } from "./csv.js";
import { formatScanJson } from "./json.js";
import { formatScanTable } from "./table.js";

export type ScanFormatter = (result: ScanResult) => string;

/** Output formats of `cowabunga scan`; add one here and it becomes a --format choice. */
export const SCAN_FORMATS = {
  table: formatScanTable,
  json: formatScanJson,
  csv: formatScanCsv,
} satisfies Record<string, ScanFormatter>;

export type ScanFormat = keyof typeof SCAN_FORMATS;
