import type { ScanResult } from "../../scan/types.js";
import { toScanReport } from "./report.js";

export function formatScanJson(result: ScanResult): string {
  return JSON.stringify(toScanReport(result), null, 2) + "\n";
}
