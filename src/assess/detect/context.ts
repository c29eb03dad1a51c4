import type { CowabungaConfig } from "../../config/schema.js";
import type { MaintenanceIssue } from "../../model/index.js";
import type { ScanWarning, ScannedComponent } from "../../scan/types.js";
import type { IssueDraft } from "../draft.js";
import type { AssessInputs } from "../types.js";

export interface DetectContext {
  inputs: AssessInputs;
  config: CowabungaConfig;
  now: Date;
  components: readonly ScannedComponent[];
  /** Suite names CI reported per component, for testing_requirements. */
  suitesByComponent: Readonly<Record<string, string[]>>;
  /** Detectors push problems with their input here (file and line named). */
  warnings: ScanWarning[];
}

export interface DetectorResult {
  drafts: IssueDraft[];
  /**
   * Does this run's input cover the subject of a previous issue of this detector's type? Only then
   * does its absence mean "resolved" (a push diff or a failed lookup proves nothing).
   */
  covers(prev: MaintenanceIssue): boolean;
  /** Why a covered previous issue is gone: the text after "no longer detected: ". */
  goneReason(prev: MaintenanceIssue): string;
  /** The id of this run's issue that now covers a previous issue's cause (a merged subject), if any. */
  supersededBy?(prev: MaintenanceIssue): string | null;
}

export type Detector = (ctx: DetectContext) => DetectorResult;
