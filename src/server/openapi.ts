import { z } from "zod";
import { RuntimeMetricsInput } from "../act/runtime/metrics-store.js";
import { ReportDocument } from "../act/report/json.js";
import { Severity } from "../model/common.js";
import { ComponentHealth, SystemHealth } from "../model/health.js";
import { Dependency } from "../model/dependency.js";
import { IssueStatus, IssueType, MaintenanceIssue } from "../model/issue.js";
import { MaintenanceRecord, RecordType } from "../model/record.js";
import { IssuePatchBody, MetricsIngestResponse } from "./api.js";
import { UpdateRequestBody } from "./types.js";
import { JobsResponse } from "./jobs.js";
import { AdvisoryExposureResponse } from "./advisories.js";

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const out = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Json;
  delete out.$schema;
  return out;
}

export const ErrorBody = z.object({
  error: z.looseObject({
    status: z.number().int(),
    message: z.string(),
    request_id: z.string(),
  }),
});

export const JobAccepted = z.object({
  job_id: z.string(),
  status: z.literal("queued"),
  kind: z.enum(["audit", "update"]),
  repository: z.string(),
});

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string): Json => ({ description, content: { "application/json": { schema } } });
const err = (description: string): Json => json(ref("Error"), description);

const COMMON_ERRORS = {
  "400": err("Bad input: unknown parameter or value, malformed JSON, wrong content type"),
  "401": err("No token, or GitHub rejected it"),
  "404": err("Not found, or the token has no access to the repository"),
  "502": err("GitHub could not be asked about access"),
};

function enumQuery(name: string, values: readonly string[], description: string): Json {
  return {
    name,
    in: "query",
    required: false,
    description: `${description} One value or several, comma-separated.`,
    schema: { type: "string", pattern: `^(${values.join("|")})(,(${values.join("|")}))*$` },
  };
}
const boolQuery = (name: string, description: string): Json => ({ name, in: "query", required: false, description, schema: { type: "string", enum: ["true", "false"] } });
const strQuery = (name: string, description: string): Json => ({ name, in: "query", required: false, description, schema: { type: "string" } });
const pathParam = (name: string, description: string): Json => ({ name, in: "path", required: true, description, schema: { type: "string" } });

function get(summary: string, ok: Json, parameters: Json[] = []): Json {
  return { summary, parameters, security: [{ github: [] }], responses: { "200": ok, ...COMMON_ERRORS } };
}

const nullableNumber: Json = { type: ["number", "null"] };
const REMEDIATION_MEASURES: Json = {
  type: "object",
  required: ["time_to_remediate", "open_by_age", "closed", "closed_within_deadline", "closed_within_deadline_share", "overdue", "deferred", "oldest_open_critical"],
  properties: {
    time_to_remediate: {
      type: "object",
      description: "Per severity: resolved count, mean and nearest-rank p90 days from first detection to the fix.",
      additionalProperties: { type: "object", required: ["resolved", "mean_days", "p90_days"], properties: { resolved: { type: "integer" }, mean_days: nullableNumber, p90_days: nullableNumber } },
    },
    open_by_age: { type: "object", additionalProperties: { type: "integer" }, description: "Open security findings by age in days: 0-30, 31-90, 91-180, 181+." },
    closed: { type: "integer" },
    closed_within_deadline: { type: "integer" },
    closed_within_deadline_share: nullableNumber,
    overdue: { type: "integer" },
    deferred: { type: "integer" },
    oldest_open_critical: { type: ["object", "null"] },
  },
};
/** The organisation overview (src/act/report/org.ts). */
const ORG_OVERVIEW_SCHEMA: Json = {
  type: "object",
  required: ["owner", "generated_at", "repositories", "measures"],
  properties: {
    owner: { type: "string" },
    generated_at: { type: "string", format: "date-time" },
    repositories: {
      type: "array",
      items: {
        type: "object",
        required: ["repository", "status", "health_score", "open_critical", "open_high", "open_total", "overdue", "deferred", "last_scan", "failed_jobs", "measures"],
        properties: {
          repository: { type: "string" },
          status: { type: "string", enum: ["critical", "warning", "maintenance", "no_data", "healthy"] },
          health_score: nullableNumber,
          open_critical: { type: "integer" },
          open_high: { type: "integer" },
          open_total: { type: "integer" },
          overdue: { type: "integer" },
          deferred: { type: "integer" },
          last_scan: { type: ["string", "null"] },
          failed_jobs: { type: ["integer", "null"], description: "Failed jobs in the queue; null when no queue is configured." },
          measures: REMEDIATION_MEASURES,
        },
      },
    },
    measures: REMEDIATION_MEASURES,
  },
};

/** The OpenAPI 3.1 description of the REST API; entity schemas come from the zod models. */
export function buildOpenApiDocument(version = "0.1.0"): Json {
  const base = "/api/v1/repos/{owner}/{repo}";
  const repoParams = [pathParam("owner", "Repository owner"), pathParam("repo", "Repository name")];
  const withRepo = (op: Json): Json => ({ ...op, parameters: [...repoParams, ...((op.parameters as Json[]) ?? [])] });
  return {
    openapi: "3.1.0",
    info: {
      title: "Cowabunga Maintainer API",
      version,
      description:
        "Maintenance data for one repository. Every route but the metrics ingest takes `Authorization: Bearer <GitHub token>`; access is checked with GitHub (read for GET, push for changes). A repository the token cannot see answers 404.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    components: {
      securitySchemes: {
        github: { type: "http", scheme: "bearer", description: "A GitHub user token or personal access token" },
        ingest: { type: "http", scheme: "bearer", description: "The server's COWABUNGA_INGEST_TOKEN" },
        admin: { type: "http", scheme: "bearer", description: "The server's COWABUNGA_ADMIN_TOKEN (operators: every job, including cluster-wide ones)" },
      },
      schemas: {
        SystemHealth: schemaOf(SystemHealth, "output"),
        ComponentHealth: schemaOf(ComponentHealth, "output"),
        MaintenanceIssue: schemaOf(MaintenanceIssue, "output"),
        Dependency: schemaOf(Dependency, "output"),
        MaintenanceRecord: schemaOf(MaintenanceRecord, "output"),
        ReportDocument: schemaOf(ReportDocument, "output"),
        IssuePatch: schemaOf(IssuePatchBody, "input"),
        UpdateRequest: schemaOf(UpdateRequestBody, "input"),
        RuntimeMetrics: schemaOf(RuntimeMetricsInput, "input"),
        MetricsAccepted: schemaOf(MetricsIngestResponse, "output"),
        JobAccepted: schemaOf(JobAccepted, "output"),
        Jobs: schemaOf(JobsResponse, "output"),
        AdvisoryExposure: schemaOf(AdvisoryExposureResponse, "output"),
        Error: schemaOf(ErrorBody, "output"),
        OrgOverview: ORG_OVERVIEW_SCHEMA,
      },
    },
    paths: {
      "/api/v1/orgs/{owner}/overview": {
        get: {
          summary: "Every repository of the owner that the token can read (access checked per repository), worst first, with remediation measures",
          parameters: [pathParam("owner", "Organisation or user")],
          security: [{ github: [] }],
          responses: { "200": json(ref("OrgOverview"), "OrgOverview"), ...COMMON_ERRORS },
        },
      },
      "/api/v1/openapi.json": {
        get: { summary: "This document", security: [], responses: { "200": json({ type: "object" }, "The OpenAPI document") } },
      },
      "/api/v1/jobs": {
        get: {
          summary: "Queued, running, retrying and failed jobs, per repository",
          description:
            "With a GitHub token: the jobs of the repositories it can read (a named repository it cannot read answers 404). With COWABUNGA_ADMIN_TOKEN: every job, including cron ticks that belong to no repository. Failed jobs carry their error.",
          parameters: [
            { name: "repo", in: "query", required: false, description: "Only these repositories (owner/name; several comma-separated or repeated, at most 50).", schema: { type: "string" } },
            enumQuery("state", ["queued", "running", "retry", "failed"], "Only jobs in this state."),
          ],
          security: [{ github: [] }, { admin: [] }],
          responses: { "200": json(ref("Jobs"), "Jobs grouped by repository"), ...COMMON_ERRORS, "503": err("This process has no job queue") },
        },
      },
      "/api/v1/advisories/{id}": {
        get: {
          summary: "Where an advisory (OSV id, GHSA, CVE alias) affects the repositories the token can read, and their state",
          description:
            "From the store, no GitHub read of repository content: each affected repository with its package versions and state (affected with no issue yet, issue open, update PR open, deferred, fixed). A GitHub token sees the repositories it can read (at most 500 checked per request); COWABUNGA_ADMIN_TOKEN sees all.",
          parameters: [pathParam("id", "Advisory id or alias")],
          security: [{ github: [] }, { admin: [] }],
          responses: { "200": json(ref("AdvisoryExposure"), "Affected repositories"), ...COMMON_ERRORS, "422": err("Too many affected repositories to check access for") },
        },
      },
      [`${base}/health`]: { get: withRepo(get("System health of the last assessment", json(ref("SystemHealth"), "SystemHealth"))) },
      [`${base}/health/components`]: {
        get: withRepo(get("Health of every component", json({ type: "array", items: ref("ComponentHealth") }, "ComponentHealth list"))),
      },
      [`${base}/health/components/{name}`]: {
        get: withRepo(get("Health of one component", json(ref("ComponentHealth"), "ComponentHealth"), [pathParam("name", "Component name")])),
      },
      [`${base}/maintenance/issues`]: {
        get: withRepo(
          get("Maintenance issues", json({ type: "array", items: ref("MaintenanceIssue") }, "MaintenanceIssue list"), [
            enumQuery("status", IssueStatus.options, "Only issues with this status."),
            enumQuery("severity", Severity.options, "Only issues with this severity."),
            enumQuery("type", IssueType.options, "Only issues of this type."),
            strQuery("component", "Only issues affecting this component."),
          ]),
        ),
      },
      [`${base}/maintenance/issues/{id}`]: {
        get: withRepo(get("One maintenance issue", json(ref("MaintenanceIssue"), "MaintenanceIssue"), [pathParam("id", "Issue id")])),
        patch: withRepo({
          summary: "Move an issue through its lifecycle (needs push access)",
          parameters: [pathParam("id", "Issue id")],
          security: [{ github: [] }],
          requestBody: { required: true, content: { "application/json": { schema: ref("IssuePatch") } } },
          responses: {
            "200": json(ref("MaintenanceIssue"), "The updated issue"),
            ...COMMON_ERRORS,
            "409": err("The lifecycle does not allow this move; the message names the allowed states"),
            "413": err("Body larger than 64 KiB"),
          },
        }),
      },
      [`${base}/dependencies`]: {
        get: withRepo(
          get("Dependencies of the last scan", json({ type: "array", items: ref("Dependency") }, "Dependency list"), [
            strQuery("component", "Only this component's dependencies."),
            strQuery("package_manager", "Only this package manager's dependencies."),
            boolQuery("vulnerable", "Only (true) or no (false) dependencies with a known advisory."),
            boolQuery("outdated", "Only (true) or no (false) dependencies behind their latest version."),
          ]),
        ),
      },
      [`${base}/dependencies/audit`]: {
        post: withRepo({
          summary: "Queue a scan (needs push access)",
          security: [{ github: [] }],
          responses: { "202": json(ref("JobAccepted"), "Queued"), ...COMMON_ERRORS, "503": err("The queue is unavailable") },
        }),
      },
      [`${base}/dependencies/update`]: {
        post: withRepo({
          summary: "Request an update pull request (needs push access)",
          security: [{ github: [] }],
          requestBody: { required: true, content: { "application/json": { schema: ref("UpdateRequest") } } },
          responses: { "202": json(ref("JobAccepted"), "Queued"), ...COMMON_ERRORS, "413": err("Body larger than 64 KiB"), "503": err("The queue is unavailable") },
        }),
      },
      [`${base}/maintenance/records`]: {
        get: withRepo(
          get("Maintenance records", json({ type: "array", items: ref("MaintenanceRecord") }, "MaintenanceRecord list"), [
            strQuery("from", "Performed at or after this ISO 8601 date or date-time."),
            strQuery("to", "Performed at or before this ISO 8601 date (inclusive) or date-time."),
            enumQuery("type", RecordType.options, "Only records of this type."),
          ]),
        ),
      },
      [`${base}/maintenance/records/{id}`]: {
        get: withRepo(get("One maintenance record", json(ref("MaintenanceRecord"), "MaintenanceRecord"), [pathParam("id", "Record id")])),
      },
      [`${base}/reports/{format}`]: {
        get: withRepo({
          summary: "The report of the last assessment as JSON, CSV, HTML, or a FedRAMP POA&M (CSV: open items, then closed items)",
          parameters: [
            { name: "format", in: "path", required: true, schema: { type: "string", enum: ["json", "csv", "html", "poam"] } },
            { name: "table", in: "query", required: false, description: "CSV only: dependencies (default) or issues.", schema: { type: "string", enum: ["dependencies", "issues"] } },
          ],
          security: [{ github: [] }],
          responses: {
            "200": {
              description: "The report",
              content: {
                "application/json": { schema: ref("ReportDocument") },
                "text/csv": { schema: { type: "string" } },
                "text/html": { schema: { type: "string" } },
              },
            },
            ...COMMON_ERRORS,
          },
        }),
      },
      [`${base}/components/{name}/metrics`]: {
        post: withRepo({
          summary: "Push runtime metrics of a component (ingest token)",
          parameters: [pathParam("name", "Component name")],
          security: [{ ingest: [] }],
          requestBody: { required: true, content: { "application/json": { schema: ref("RuntimeMetrics") } } },
          responses: {
            "202": json(ref("MetricsAccepted"), "Stored"),
            "400": err("Invalid metrics"),
            "401": err("Missing or wrong ingest token"),
            "404": err("Repository not installed or never scanned, or a component the last scan did not find once the per-repository cap is reached"),
            "413": err("Body larger than 64 KiB"),
            "503": err("Ingest not configured"),
          },
        }),
      },
    },
  };
}
