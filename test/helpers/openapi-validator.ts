import { createRequire } from "node:module";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * Checks requests against GitHub's published OpenAPI description (@octokit/openapi, GHES 3.19):
 * the path must match an operation and a JSON body must validate against its request schema.
 */
const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  operationId?: string;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
}

interface Route {
  template: string;
  regex: RegExp;
  methods: Record<string, Operation>;
}

let cached: { ajv: Ajv; routes: Route[] } | undefined;

function load(): { ajv: Ajv; routes: Route[] } {
  if (cached) return cached;
  const spec = require("@octokit/openapi/generated/ghes-3.19.json") as Spec;
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true, discriminator: false });
  addFormats(ajv);
  ajv.addKeyword({ keyword: "x-github" });
  ajv.addSchema(convertNullable(spec) as object, "gh");
  const routes: Route[] = Object.entries(spec.paths).map(([template, methods]) => ({
    template,
    // Path parameters match one segment, except GitHub's greedy ones ({path}, {ref} in git/refs, {basehead}).
    regex: new RegExp(
      "^" +
        template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_m, name: string) =>
          name === "path" || name === "ref" || name === "basehead" ? "(.+)" : "([^/]+)",
        ) +
        "$",
    ),
    methods,
  }));
  // Prefer literal segments over parameters: sort by number of parameters.
  routes.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  cached = { ajv, routes };
  return cached;
}

/** OpenAPI 3.0's `nullable: true` is not JSON Schema: turn it into a type union (or anyOf with null). */
function convertNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertNullable);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== "nullable") out[k] = convertNullable(v);
  if ((node as Record<string, unknown>).nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (out.enum === undefined) return { anyOf: [out, { type: "null" }] };
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

function pointerEscape(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

export interface OpenApiCheck {
  ok: boolean;
  operation: string | null;
  error: string | null;
}

/** Validate one REST request: `path` is relative to /api/v3 (e.g. "/repos/o/r/issues"), without query. */
export function checkRequest(method: string, path: string, body: unknown): OpenApiCheck {
  const { ajv, routes } = load();
  const m = method.toLowerCase();
  const route = routes.find((r) => r.regex.test(path) && r.methods[m]);
  if (!route) return { ok: false, operation: null, error: `${method} ${path} matches no operation in GitHub's OpenAPI description` };
  const op = route.methods[m]!;
  const operation = op.operationId ?? `${method} ${route.template}`;
  const schema = op.requestBody?.content?.["application/json"]?.schema;
  if (schema === undefined || body === undefined) return { ok: true, operation, error: null };
  const ref = `gh#/paths/${pointerEscape(route.template)}/${m}/requestBody/content/application~1json/schema`;
  const validate = ajv.getSchema(ref);
  if (!validate) return { ok: false, operation, error: `no schema at ${ref}` };
  if (validate(body)) return { ok: true, operation, error: null };
  return { ok: false, operation, error: `${operation}: body invalid: ${ajv.errorsText(validate.errors)}` };
}
