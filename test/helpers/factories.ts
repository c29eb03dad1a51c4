/**
 * Small, valid instances of every model entity, for tests. Each takes a partial override.
 * Every factory's output passes its zod schema (see test/model/validate.test.ts).
 */
import type {
  ComponentHealth,
  Dependency,
  MaintenanceIssue,
  MaintenanceRecord,
  RiskLevel,
  SystemHealth,
  TestResult,
} from "../../src/model/index.js";

export const T0 = "2026-01-15T12:00:00.000Z";

export function makeRiskLevel(over: Partial<RiskLevel> = {}): RiskLevel {
  return {
    level: "low",
    score: 2,
    factors: [{ name: "minor_update", description: "minor version bump", weight: 1, score: 2 }],
    potential_impact: "a minor behaviour change",
    affected_users: "API users",
    downtime_estimate: "none",
    mitigation_steps: ["run the test suite"],
    contingency_plan: "revert the PR",
    rollback_procedure: "git revert",
    ...over,
  };
}

export function makeIssue(over: Partial<MaintenanceIssue> = {}): MaintenanceIssue {
  return {
    id: "issue-1",
    title: "requests 2.19.0 has a known vulnerability",
    description: "PYSEC-2018-28 affects requests < 2.20.0",
    type: "security",
    severity: "high",
    priority: "high",
    status: "open",
    affected_components: ["api"],
    files_affected: ["api/requirements.txt"],
    assignee: null,
    estimated_effort: "1 hour",
    resolution_steps: ["bump requests to 2.20.0"],
    testing_requirements: ["run api tests"],
    created_at: T0,
    updated_at: T0,
    resolved_at: null,
    risk_assessment: makeRiskLevel(),
    lifecycle_state: "detected",
    history: [],
    subject: "pypi:requests@2.19.0:PYSEC-2018-28",
    defer_reason: null,
    github_issue_number: null,
    duplicate_of: null,
    ...over,
  };
}

export function makeDependency(over: Partial<Dependency> = {}): Dependency {
  return {
    name: "requests",
    version: "2.19.0",
    latest_version: "2.32.3",
    package_manager: "pip",
    component: "api",
    cve_ids: ["CVE-2018-18074"],
    vulnerability_score: 7.5,
    patch_available: true,
    compatibility: { status: "compatible", reasons: [], target_version: "2.32.3" },
    breaking_changes: [],
    deprecated: false,
    auto_update_safe: false,
    update_risk: "medium",
    last_updated: null,
    next_review_date: null,
    datasource: "none",
    file: "api/requirements.txt",
    line: 3,
    dependency_type: "prod",
    current_value: "==2.19.0",
    locked_version: null,
    update_type: "minor",
    days_behind: 100,
    latest_release_date: null,
    fixed_version: "2.20.0",
    vulnerability_score_estimated: false,
    advisories: [],
    source_url: null,
    lookup: { status: "ok", reason: null },
    skip_reason: null,
    advisories_checked: true,
    value_span: null,
    declared_by: null,
    notes: [],
    depth: null,
    introduced_through: [],
    dev_only: false,
    lockfile: null,
    remediation: null,
    ...over,
  };
}

export function makeTestResult(over: Partial<TestResult> = {}): TestResult {
  return {
    test_suite: "api",
    tests_run: 10,
    tests_passed: 9,
    tests_failed: 1,
    tests_skipped: 0,
    line_coverage: 85.5,
    branch_coverage: null,
    function_coverage: null,
    duration_seconds: 12.5,
    slowest_tests: [{ name: "test_upload", suite: "api", duration_seconds: 3.2 }],
    failures: [{ name: "test_login", suite: "api", message: "expected 200, got 500", file: "tests/test_auth.py", line: 42 }],
    errors: [],
    ...over,
  };
}

export function makeRecord(over: Partial<MaintenanceRecord> = {}): MaintenanceRecord {
  return {
    id: "rec-1",
    title: "Bump requests to 2.20.0",
    type: "security_patch",
    description: "Fixes PYSEC-2018-28",
    performed_by: "cowabunga",
    performed_at: T0,
    duration_minutes: 5,
    rollback_available: true,
    files_modified: ["api/requirements.txt"],
    dependencies_updated: ["requests"],
    tests_run: ["api"],
    success: true,
    issues_resolved: ["issue-1"],
    issues_introduced: [],
    test_results: makeTestResult(),
    rollback_strategy: "revert the merge commit",
    rollback_before_commit: "0123456789abcdef0123456789abcdef01234567",
    pull_request: 12,
    revert_pull_request: null,
    ...over,
  };
}

export function makeComponentHealth(over: Partial<ComponentHealth> = {}): ComponentHealth {
  return {
    name: "api",
    version: "1.0.0",
    type: "api",
    status: "healthy",
    health_score: 0.92,
    last_health_check: T0,
    uptime_percentage: null,
    error_rate: null,
    response_time_ms: null,
    memory_usage_mb: null,
    cpu_usage_percent: null,
    dependencies: ["sdk"],
    dependent_components: ["ui"],
    open_issues: 1,
    critical_issues: 0,
    last_failure: null,
    path: "src/api",
    score_breakdown: { security: 1, freshness: 0.8 },
    ...over,
  };
}

export function makeSystemHealth(over: Partial<SystemHealth> = {}): SystemHealth {
  return {
    timestamp: T0,
    version: "1.0.0",
    overall_status: "healthy",
    components: [
      { name: "api", status: "healthy", health_score: 0.92, issues: [], last_check: T0, dependencies: ["sdk"] },
    ],
    metrics: { uptime_percentage: null, response_time_ms: null, error_rate: null, test_coverage: 85.5, security_issues: 0 },
    maintenance_mode: false,
    next_maintenance_window: null,
    last_maintenance: null,
    ...over,
  };
}
