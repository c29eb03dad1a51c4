import { z } from "zod";
import { RiskLevelName } from "./common.js";

/** One factor contributing to a risk score. Not defined by the seed; defined here. */
export const RiskFactor = z.object({
  /** Short machine name, e.g. "major_version_jump", "cvss_score". */
  name: z.string().min(1),
  /** Human explanation of why this factor applies, with the facts behind it. */
  description: z.string(),
  /** Relative weight of this factor in the total, 0..1. */
  weight: z.number().min(0).max(1),
  /** This factor's own score, 0..10, before weighting. */
  score: z.number().min(0).max(10),
});
export type RiskFactor = z.infer<typeof RiskFactor>;

/** The seed's RiskLevel (risk assessment). */
export const RiskLevel = z.object({
  level: RiskLevelName,
  score: z.number().min(0).max(10),
  factors: z.array(RiskFactor),
  potential_impact: z.string(),
  affected_users: z.string(),
  downtime_estimate: z.string(),
  mitigation_steps: z.array(z.string()),
  contingency_plan: z.string(),
  rollback_procedure: z.string(),
});
export type RiskLevel = z.infer<typeof RiskLevel>;
