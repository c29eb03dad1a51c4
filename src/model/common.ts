import { z } from "zod";

/** ISO 8601 datetime with offset or Z, e.g. 2026-11-25T12:00:00Z. */
export const DateTime = z.iso.datetime({ offset: true });
export type DateTime = z.infer<typeof DateTime>;

export const Severity = z.enum(["critical", "high", "medium", "low"]);
export type Severity = z.infer<typeof Severity>;

export const Priority = z.enum(["immediate", "high", "medium", "low"]);
export type Priority = z.infer<typeof Priority>;

export const HealthStatus = z.enum(["healthy", "warning", "critical", "unknown"]);
export type HealthStatus = z.infer<typeof HealthStatus>;

export const OverallStatus = z.enum(["healthy", "warning", "critical"]);
export type OverallStatus = z.infer<typeof OverallStatus>;

export const ComponentType = z.enum(["api", "ui", "backend", "sdk", "infrastructure"]);
export type ComponentType = z.infer<typeof ComponentType>;

export const UpdateRisk = z.enum(["none", "low", "medium", "high"]);
export type UpdateRisk = z.infer<typeof UpdateRisk>;

export const RiskLevelName = z.enum(["none", "low", "medium", "high", "critical"]);
export type RiskLevelName = z.infer<typeof RiskLevelName>;

export const Fraction = z.number().min(0).max(1);
export const Percentage = z.number().min(0).max(100);
