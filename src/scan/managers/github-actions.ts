/**
 * GitHub Actions manager: `uses:` of workflow steps, reusable workflows, job containers and
 * service images in `.github/workflows/*.yml`, and the steps / image of `action.yml` files.
 *
 * dependency_type is "build" for everything: actions and CI images run the pipeline, they are not
 * shipped (Renovate calls them depType "action" / "docker"; our enum has no such value).
 */
import type { ExtractedDependency, Manager, ManagerResult } from "../types.js";
import {
  GHA_EXPRESSION,
  asSeq,
  baseDependency,
  baseName,
  clip,
  getNode,
  getPair,
  imageDependency,
  isYScalar,
  isYSeq,
  kindOf,
  lineOf,
  mapEntries,
  pairLine,
  parseYaml,
  resolveRepoPath,
  scalarText,
} from "./image-ref.js";
import { extractSafely } from "./manifest.js";
import { knownActionInputs, parseRunnerLabel } from "./github-actions-known.js";

const WORKFLOW = /(?:^|\/)\.github\/workflows\/[^/]+\.ya?ml$/;
const ACTION = /^action\.ya?ml$/;
const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/i;
/**
 * Version comments after a SHA pin, read as Renovate reads them: a version-like token at the start,
 * with an optional prefix (`# v4.1.0`, `# tag=v4.1.0`, `# pin @v4`, `# renovate: tag=v4`,
 * `# v9.0.0 (source v9)`, `# release/v1`, `# create-github-app-token/v0.3.1`: the tag as named), else a
 * single bare word (`# stable`, `# master`: a branch).
 */
const VERSION_COMMENT =
  /^\s*(?:(?:renovate\s*:\s*)?(?:pin\s+|tag\s*[=:]\s*)?|ratchet:[\w-]+\/[.\w-]+(?:\/[.\w-]+)*)?@?((?:[\w-]*[-/])?v?\d+(?:\.\d+(?:\.\d+)?)?(?:[-+][a-zA-Z0-9.]+)?)/i;
const BARE_REF_COMMENT = /^\s*([\w][\w./-]{0,127})\s*$/;

/** The tag or branch a comment after a SHA names, or null. The SHA itself is never the version. */
export function versionFromComment(comment: string | null): string | null {
  // `# ratchet:exclude` matches neither pattern (no digit, and ":" is no branch character): no version.
  if (comment === null) return null;
  const m = VERSION_COMMENT.exec(comment);
  if (m) return m[1];
  const bare = BARE_REF_COMMENT.exec(comment);
  return bare ? bare[1] : null;
}

interface UsesContext {
  file: string;
  line: number | null;
  comment: string | null;
}

/** Parse one `uses:` value into a dependency (or a warning). */
export function parseUses(value: string, ctx: UsesContext): { dep: ExtractedDependency | null; warning: string | null } {
  const base = { file: ctx.file, line: ctx.line, package_manager: "github-actions" as const, dependency_type: "build" as const };
  const uses = value.trim();
  if (uses === "") return { dep: null, warning: "empty uses" };
  if (GHA_EXPRESSION.test(uses)) {
    return {
      dep: baseDependency(base, { name: uses, datasource: "none", current_value: uses, skip_reason: "expression" }),
      warning: null,
    };
  }
  if (uses.startsWith("./") || uses.startsWith("../")) {
    // Local actions and reusable workflows resolve from the repository root.
    // Stryker disable next-line StringLiteral: "" and "." as the base directory resolve alike.
    const local = resolveRepoPath(".", uses);
    return {
      dep: baseDependency(base, { name: uses, datasource: "none", current_value: "", skip_reason: "local", local_path: local }),
      warning: null,
    };
  }
  if (uses.startsWith("docker://")) {
    const { dep, warning } = imageDependency(uses.slice("docker://".length), base);
    return { dep, warning };
  }
  const at = uses.lastIndexOf("@");
  // Stryker disable next-line EqualityOperator: a leading "@" leaves no owner/repo either way (path "" or "@…" without "/").
  const path = at >= 0 ? uses.slice(0, at) : uses;
  // Stryker disable next-line EqualityOperator: same as above: the reference is unreadable either way.
  const ref = at >= 0 ? uses.slice(at + 1) : "";
  const parts = path.split("/");
  if (parts.length < 2 || !/^[\w.-]+$/.test(parts[0]) || !/^[\w.-]+$/.test(parts[1])) {
    return { dep: null, warning: `cannot read action reference "${clip(uses)}"` };
  }
  const name = `${parts[0]}/${parts[1]}`;
  if (ref === "") {
    return {
      dep: baseDependency(base, { name, datasource: "github-tags", current_value: "", skip_reason: "no version", registry_url: "https://github.com" }),
      warning: `action reference "${clip(uses)}" has no @ref`,
    };
  }
  if (FULL_SHA.test(ref)) {
    const version = versionFromComment(ctx.comment);
    return {
      dep: baseDependency(base, {
        name,
        datasource: "github-tags",
        current_value: version ?? ref,
        version: version ?? ref,
        digest: ref.toLowerCase(),
        registry_url: "https://github.com",
      }),
      warning: null,
    };
  }
  return {
    dep: baseDependency(base, { name, datasource: "github-tags", current_value: ref, registry_url: "https://github.com" }),
    warning: null,
  };
}

function extractWorkflowOrAction(file: string, content: string): ManagerResult {
  const { docs, warnings } = parseYaml(file, content, "github-actions");
  const deps: ExtractedDependency[] = [];
  const warn = (line: number | null, message: string): void => {
    warnings.push({ file, line, manager: "github-actions", message });
  };
  const isAction = ACTION.test(baseName(file));

  const addUses = (node: unknown, where: string): void => {
    const line = lineOf(node);
    const text = scalarText(node);
    if (text === null) {
      warn(line, `${where}.uses should be a string, found ${kindOf(node)}`);
      return;
    }
    const comment = isYScalar(node) ? node.comment : null;
    const { dep, warning } = parseUses(text, { file, line, comment });
    if (warning) warn(line, `${where}: ${warning}`);
    if (dep) deps.push(dep);
  };

  const addImage = (node: unknown, where: string): void => {
    const line = lineOf(node);
    const text = scalarText(node);
    if (text === null) {
      warn(line, `${where} should be a string, found ${kindOf(node)}`);
      return;
    }
    const base = { file, line, package_manager: "github-actions" as const, dependency_type: "build" as const };
    const image = text.startsWith("docker://") ? text.slice("docker://".length) : text;
    const skip = GHA_EXPRESSION.test(image) ? "expression" : null;
    const { dep, warning } = imageDependency(image, base, skip);
    if (warning) warn(line, `${where}: ${warning}`);
    deps.push(dep);
  };

  const addSteps = (stepsNode: unknown, where: string, stepsLine: number | null): void => {
    if (stepsNode === undefined || (isYScalar(stepsNode) && stepsNode.value === null)) return;
    const steps = asSeq(stepsNode);
    if (!steps) {
      warn(stepsLine, `${where}.steps should be a list, found ${kindOf(stepsNode)}`);
      return;
    }
    steps.items.forEach((step, i) => {
      const uses = getNode(step, "uses");
      if (uses !== undefined) {
        addUses(uses, `${where}.steps[${i}]`);
        addWithVersions(uses, getNode(step, "with"));
      }
    });
  };

  /**
   * Tool versions given to known setup actions (`azure/setup-helm` `with: version: v3.13.3`), as
   * Renovate's "uses-with" dependencies. As in Renovate, a step without `with:` yields nothing, and
   * a `with:` without the version input yields a dependency skipped as "unspecified version".
   */
  const addWithVersions = (usesNode: unknown, withNode: unknown): void => {
    const usesText = scalarText(usesNode);
    if (usesText === null) return;
    const known = knownActionInputs(usesText);
    if (!known) return;
    const entries = mapEntries(withNode);
    if (kindOf(withNode) !== "a map") return;
    const values = new Map<string, string>();
    const valueNodes = new Map<string, unknown>();
    for (const e of entries) {
      // Renovate keeps string and number inputs only.
      if (!isYScalar(e.value) || (typeof e.value.value !== "string" && typeof e.value.value !== "number")) continue;
      const text = scalarText(e.value);
      if (text === null) continue;
      values.set(e.key, text.trim());
      valueNodes.set(e.key, e.value);
    }
    const action = usesText.trim().replace(/@.*$/, "");
    const usesLine = lineOf(usesNode);
    for (const k of known) {
      let name = k.name;
      if (k.nameFrom !== undefined) {
        const from = values.get(k.nameFrom);
        if (!from) continue;
        name = from;
      }
      const value = values.get(k.input) ?? "";
      if (value === "" && k.optional) continue;
      const line = value !== "" ? lineOf(valueNodes.get(k.input)) : usesLine;
      const base = { file, line, package_manager: "github-actions" as const, dependency_type: "build" as const };
      const notes = [`\`${k.input}\` input of ${action}${k.tool ? ` (${k.tool})` : ""}`];
      if (k.image && value !== "") {
        const skip = GHA_EXPRESSION.test(value) ? "expression" : null;
        const { dep, warning } = imageDependency(value, base, skip);
        if (warning) warn(line, `${action} ${k.input}: ${warning}`);
        deps.push({ ...dep, notes });
        continue;
      }
      let skip: string | null = null;
      if (value === "") {
        skip = "unspecified version";
        const fileInput = values.get(`${k.input}-file`);
        if (fileInput) notes.push(`version read from ${fileInput}`);
      } else if (GHA_EXPRESSION.test(value)) skip = "expression";
      else if (k.invalid?.(value)) skip = "invalid version";
      else skip = k.skipWhen?.(values) ?? null;
      if (name === "") name = "unknown image"; // only image inputs have no fixed name
      deps.push(
        baseDependency(base, {
          name,
          datasource: k.datasource,
          current_value: value,
          skip_reason: skip,
          registry_url: k.datasource === "github-tags" ? "https://github.com" : null,
          notes,
        }),
      );
    }
  };

  /** `runs-on:` labels naming GitHub-hosted runner images (`ubuntu-22.04`), Renovate's github-runners deps. */
  const addRunners = (node: unknown): void => {
    // Stryker disable next-line ArrayDeclaration: any other item is skipped by the next check.
    const labels = isYScalar(node) ? [node] : isYSeq(node) ? node.items : [];
    for (const label of labels) {
      // Stryker disable next-line ConditionalExpression,LogicalOperator: a number, map or null never reads as "<os>-<version>" either.
      if (!isYScalar(label) || typeof label.value !== "string") continue;
      const runner = parseRunnerLabel(label.value);
      if (!runner) continue;
      const notes = ["GitHub-hosted runner image (runs-on); no datasource, listed only"];
      if (runner.deprecated) notes.push(`${runner.os}-${runner.version} is deprecated by GitHub`);
      deps.push(
        baseDependency(
          { file, line: lineOf(label), package_manager: "github-actions", dependency_type: "build" },
          { name: runner.os, datasource: "none", current_value: runner.version, skip_reason: "github-hosted runner", notes },
        ),
      );
    }
  };

  for (const doc of docs) {
    const root = doc.contents; // an empty document (null) has no runs or jobs pair
    if (isAction) {
      const runsPair = getPair(root, "runs");
      if (!runsPair) continue;
      const runs = runsPair.value;
      if (kindOf(runs) !== "a map") {
        warn(pairLine(runsPair), `runs should be a map, found ${kindOf(runs)}`);
        continue;
      }
      const stepsPair = getPair(runs, "steps");
      addSteps(stepsPair?.value, "runs", pairLine(stepsPair));
      const image = getNode(runs, "image");
      const imageText = scalarText(image);
      // `image: Dockerfile` builds a local Dockerfile, scanned by the docker manager.
      if (imageText !== null && imageText.startsWith("docker://")) addImage(image, "runs.image");
      continue;
    }
    const jobsPair = getPair(root, "jobs");
    if (!jobsPair) continue;
    const jobs = jobsPair.value;
    const jobEntries = mapEntries(jobs);
    if (kindOf(jobs) !== "a map") {
      warn(pairLine(jobsPair), `jobs should be a map, found ${kindOf(jobs)}`);
      continue;
    }
    for (const { key, value: job, keyNode } of jobEntries) {
      const where = `jobs.${clip(key, 40)}`;
      if (kindOf(job) !== "a map") {
        warn(lineOf(keyNode), `${where} should be a map, found ${kindOf(job)}`);
        continue;
      }
      addRunners(getNode(job, "runs-on"));
      const uses = getNode(job, "uses");
      if (uses !== undefined) addUses(uses, where);
      const stepsPair = getPair(job, "steps");
      addSteps(stepsPair?.value, where, pairLine(stepsPair));
      const container = getNode(job, "container");
      // Stryker disable next-line ConditionalExpression: a missing container has no image either (the next check).
      if (container !== undefined) {
        if (isYScalar(container)) addImage(container, `${where}.container`);
        else {
          const image = getNode(container, "image");
          if (image !== undefined) addImage(image, `${where}.container.image`);
        }
      }
      const servicesPair = getPair(job, "services");
      if (servicesPair) {
        const services = mapEntries(servicesPair.value);
        if (kindOf(servicesPair.value) !== "a map") {
          warn(pairLine(servicesPair), `${where}.services should be a map, found ${kindOf(servicesPair.value)}`);
        }
        for (const svc of services) {
          const image = isYScalar(svc.value) ? svc.value : getNode(svc.value, "image");
          if (image !== undefined) addImage(image, `${where}.services.${clip(svc.key, 40)}.image`);
        }
      }
    }
  }
  return { deps, warnings, meta: { primary: false } };
}

export const githubActionsManager: Manager = {
  name: "github-actions",
  matches(path: string): boolean {
    return WORKFLOW.test(path) || ACTION.test(baseName(path));
  },
  extract(path: string, content: string): ManagerResult {
    return extractSafely(path, "github-actions", false, () => extractWorkflowOrAction(path, content));
  },
};
