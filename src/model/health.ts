import { z } from "zod";
import { ComponentType, DateTime, Fraction, HealthStatus, OverallStatus, Percentage } from "./common.js";
import { MaintenanceIssue } from "./issue.js";
import { MaintenanceRecord } from "./record.js";

/** The seed's ComponentHealth. Runtime metrics are null until reported. */
export const ComponentHealth = z.object({
  name: z.string().min(1),
  version: z.string(),
  type: ComponentType,
  status: HealthStatus,
  health_score: Fraction,
  last_health_check: DateTime,
  uptime_percentage: Percentage.nullable(),
  error_rate: Percentage.nullable(),
  response_time_ms: z.number().int().min(0).nullable(),
  memory_usage_mb: z.number().int().min(0).nullable(),
  cpu_usage_percent: z.number().min(0).nullable(),
  dependencies: z.array(z.string()),
  dependent_components: z.array(z.string()),
  open_issues: z.number().int().min(0),
  critical_issues: z.number().int().min(0),
  last_failure: DateTime.nullable(),
  // Extras
  path: z.string().default("."),
  score_breakdown: z.record(z.string(), z.number()).default({}),
});
export type ComponentHealth = z.infer<typeof ComponentHealth>;

/** A component as summarised inside SystemHealth. */
export const SystemComponentStatus = z.object({
  name: z.string().min(1),
  status: HealthStatus,
  health_score: Fraction,
  issues: z.array(MaintenanceIssue),
  last_check: DateTime,
  dependencies: z.array(z.string()),
});
export type SystemComponentStatus = z.infer<typeof SystemComponentStatus>;

export const SystemMetrics = z.object({
  uptime_percentage: Percentage.nullable(),
  response_time_ms: z.number().int().min(0).nullable(),
  error_rate: Percentage.nullable(),
  test_coverage: Percentage.nullable(),
  security_issues: z.number().int().min(0),
});
export type SystemMetrics = z.infer<typeof SystemMetrics>;

/** The seed's SystemHealth. */
export const SystemHealth = z.object({
  timestamp: DateTime,
  version: z.string(),
  overall_status: OverallStatus,
  components: z.array(SystemComponentStatus),
  metrics: SystemMetrics,
  maintenance_mode: z.boolean(),
  next_maintenance_window: DateTime.nullable(),
  last_maintenance: MaintenanceRecord.nullable(),
});
export type SystemHealth = z.infer<typeof SystemHealth>;
