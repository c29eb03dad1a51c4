/**
 * Docker manager: base images of Dockerfiles / Containerfiles (`FROM`, `COPY --from=`) and the
 * `services.*.image` of docker-compose files.
 */
import type { ExtractContext, ExtractedDependency, Manager, ManagerResult, ScanWarning } from "../types.js";
import {
  baseName,
  clip,
  dirOf,
  getNode,
  getPair,
  imageDependency,
  isYScalar,
  kindOf,
  lineOf,
  mapEntries,
  parseYaml,
  scalarText,
  splitImageRef,
} from "./image-ref.js";
import { LineIndex, locateValue } from "./span.js";
import { extractSafely } from "./manifest.js";

const DOCKERFILE = /^(?:(?:Dockerfile|Containerfile)(?:\.[^/]+)?|[^/]+\.(?:Dockerfile|dockerfile|Containerfile|containerfile))$/;
const NOT_DOCKERFILE = /\.(?:dockerignore|md|txt|orig|bak|swp)$/i;
const COMPOSE = /^(?:docker-compose|compose)(?:[.-][^/]*)?\.ya?ml$/;

export function isDockerfile(path: string): boolean {
  const base = baseName(path);
  return DOCKERFILE.test(base) && !NOT_DOCKERFILE.test(base);
}

export function isComposeFile(path: string): boolean {
  return COMPOSE.test(baseName(path));
}

// ---------------------------------------------------------------------------------------------
// Variable substitution (Dockerfile ARG and compose interpolation)
// ---------------------------------------------------------------------------------------------

/** Variable values; `undefined` = declared without a value (e.g. `ARG LOCAL_VERSION`). */
export type VariableScope = Map<string, string | undefined>;

export interface Substitution {
  value: string;
  /** Names of variables that had no value (their reference is left in `value` as written). */
  unresolved: string[];
}

/**
 * Expand `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}` and
 * `${VAR:?err}`. Unknown variables stay as written and are reported in `unresolved`.
 * `escape` is the Dockerfile escape character (`\` or `` ` ``); compose uses `$$` for a literal `$`.
 */
export function substituteVariables(text: string, vars: VariableScope, escape: string | null = "\\", depth = 0): Substitution {
  const unresolved: string[] = [];
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (escape !== null && c === escape && text[i + 1] === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (c === "$" && escape === null && text[i + 1] === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (c !== "$") {
      out += c;
      i++;
      continue;
    }
    if (text[i + 1] === "{") {
      const end = findClosingBrace(text, i + 2);
      if (end < 0) {
        out += text.slice(i);
        unresolved.push(text.slice(i + 2));
        break;
      }
      const inner = text.slice(i + 2, end);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(inner);
      if (!m) {
        out += text.slice(i, end + 1);
        unresolved.push(inner);
      } else {
        const [, name, op, word = ""] = m;
        const has = vars.has(name) && vars.get(name) !== undefined;
        const val = vars.get(name);
        const emptyCounts = op !== undefined && op.startsWith(":");
        const isSet = has && !(emptyCounts && val === "");
        const expandWord = (): string => {
          if (depth > 8) return word;
          const sub = substituteVariables(word, vars, escape, depth + 1);
          unresolved.push(...sub.unresolved);
          return sub.value;
        };
        if (op === undefined) {
          if (has) out += val;
          else {
            out += text.slice(i, end + 1);
            unresolved.push(name);
          }
        } else if (op.endsWith("-")) {
          out += isSet ? val : expandWord();
        } else if (op.endsWith("+")) {
          out += isSet ? expandWord() : "";
        } else {
          // ${VAR:?error}: a required variable
          if (isSet) out += val;
          else {
            out += text.slice(i, end + 1);
            unresolved.push(name);
          }
        }
      }
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (!m) {
      out += c;
      i++;
      continue;
    }
    const name = m[0];
    if (vars.has(name) && vars.get(name) !== undefined) out += vars.get(name);
    else {
      out += `$${name}`;
      unresolved.push(name);
    }
    i += 1 + name.length;
  }
  return { value: out, unresolved };
}

function findClosingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === "{") depth++;
    else if (text[j] === "}") {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------------------------

export interface DockerInstruction {
  keyword: string;
  /** Arguments with line continuations joined (single space). */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

/** Split a Dockerfile into instructions: parser directives, escape char, continuations, comments, heredocs. */
export function parseDockerfileInstructions(content: string): {
  instructions: DockerInstruction[];
  escape: string;
  directives: Array<{ name: string; value: string; line: number }>;
} {
  const lines = content.replace(/^\uFEFF/, "").split(/\r?\n/);
  let escape = "\\";
  let idx = 0;
  const directives: Array<{ name: string; value: string; line: number }> = [];
  // Parser directives: `# name=value` lines at the very top, before any other line.
  for (; idx < lines.length; idx++) {
    const m = /^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(\S.*?)\s*$/.exec(lines[idx]);
    if (!m) break;
    directives.push({ name: m[1].toLowerCase(), value: m[2], line: idx + 1 });
    if (m[1].toLowerCase() === "escape" && (m[2] === "`" || m[2] === "\\")) escape = m[2];
  }
  const instructions: DockerInstruction[] = [];
  let current: { parts: string[]; line: number } | null = null;
  let heredocs: string[] = [];
  const flush = (): void => {
    if (!current) return;
    const text = current.parts.join(" ").trim();
    const m = /^(\S+)\s*([\s\S]*)$/.exec(text);
    if (m) {
      instructions.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: current.line });
      heredocs = [...m[2].matchAll(/<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/g)].map((h) => h[1]);
    }
    current = null;
  };
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    if (heredocs.length > 0) {
      // Heredoc bodies (RUN <<EOF ... EOF) are not instructions.
      if (raw.replace(/^\t+/, "").trim() === heredocs[0]) heredocs.shift();
      continue;
    }
    const trimmed = raw.trim();
    if (n < idx) continue; // directives
    if (trimmed === "" || trimmed.startsWith("#")) {
      // Comment and empty lines inside a continuation are dropped, as Docker does.
      continue;
    }
    const continues = trimmed.endsWith(escape);
    const body = continues ? trimmed.slice(0, -1).trimEnd() : trimmed;
    if (!current) current = { parts: [], line: n + 1 };
    current.parts.push(body);
    if (!continues) flush();
  }
  flush();
  return { instructions, escape, directives };
}

/** Shell-like words: quotes removed, `\"` kept; used for ARG and flag parsing. */
function shellWords(text: string, escape: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === escape && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else if (c === escape && i + 1 < text.length && text[i + 1] !== "$") {
      cur += text[++i];
      inWord = true;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** Build arguments predefined by BuildKit: declared, but without a value we can know. */
const PLATFORM_ARGS = ["TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"];

function extractDockerfile(file: string, content: string): ManagerResult {
  const deps: ExtractedDependency[] = [];
  const warnings: ScanWarning[] = [];
  const { instructions, escape, directives } = parseDockerfileInstructions(content);
  // `# syntax=docker/dockerfile:1`: the BuildKit frontend image that parses this file.
  const syntax = directives.find((d) => d.name === "syntax");
  if (syntax) {
    const { dep, warning } = imageDependency(syntax.value, { file, line: syntax.line, package_manager: "docker", dependency_type: "build" });
    if (warning) warnings.push({ file, line: syntax.line, manager: "docker", message: `syntax directive: ${warning}` });
    dep.group = "syntax";
    const tag = splitImageRef(syntax.value).tag;
    if (tag && !dep.skip_reason && dep.digest === null) dep.value_span = locateValue(new LineIndex(content), syntax.line, tag, `${splitImageRef(syntax.value).name}:`);
    deps.push(dep);
  }
  const globalArgs: VariableScope = new Map(PLATFORM_ARGS.map((a) => [a, undefined]));
  let stageArgs: VariableScope | null = null;
  const stages = new Set<string>();
  let stageIndex = -1;
  const fromDeps: ExtractedDependency[] = [];
  const lastFrom = instructions.reduce((acc, ins, i) => (ins.keyword === "FROM" ? i : acc), -1);

  const addImage = (raw: string, line: number, scope: VariableScope, final: boolean): ExtractedDependency | null => {
    const sub = substituteVariables(raw, scope, escape);
    const image = sub.value.trim();
    if (sub.unresolved.length === 0) {
      if (image.toLowerCase() === "scratch") return null;
      if (stages.has(image.toLowerCase())) return null;
      if (/^\d+$/.test(image)) return null;
    }
    const base = { file, line, package_manager: "docker" as const, dependency_type: final ? ("prod" as const) : ("build" as const) };
    const skip = sub.unresolved.length > 0 ? "unresolved variable" : null;
    const { dep, warning } = imageDependency(image, base, skip);
    if (warning) warnings.push({ file, line, manager: "docker", message: warning });
    deps.push(dep);
    return dep;
  };

  instructions.forEach((ins, i) => {
    try {
      if (ins.keyword === "ARG") {
        const scope = stageArgs ?? globalArgs;
        for (const word of shellWords(ins.args, escape)) {
          const eq = word.indexOf("=");
          const name = eq < 0 ? word : word.slice(0, eq);
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
          if (eq < 0) {
            // In a stage, `ARG NAME` re-imports the global default.
            if (!scope.has(name) || scope.get(name) === undefined) scope.set(name, stageArgs ? globalArgs.get(name) : undefined);
          } else {
            scope.set(name, substituteVariables(word.slice(eq + 1), scope, escape).value);
          }
        }
      } else if (ins.keyword === "FROM") {
        stageIndex++;
        const words = shellWords(ins.args, escape).filter((w) => !w.startsWith("--"));
        if (words.length === 0) {
          warnings.push({ file, line: ins.line, manager: "docker", message: "FROM without an image" });
          return;
        }
        const image = words[0];
        // Only ARGs declared before the first FROM can be used in FROM lines.
        const dep = addImage(image, ins.line, globalArgs, i === lastFrom);
        if (dep) fromDeps.push(dep);
        const hasAlias = words.length === 3 && words[1].toLowerCase() === "as";
        if (hasAlias) stages.add(words[2].toLowerCase());
        else if (words.length > 1) {
          warnings.push({ file, line: ins.line, manager: "docker", message: `unexpected text after the image in FROM: "${clip(words.slice(1).join(" "))}"` });
        }
        stageArgs = new Map();
      } else if (ins.keyword === "COPY" || ins.keyword === "ADD") {
        for (const w of shellWords(ins.args, escape)) {
          if (!w.startsWith("--")) break;
          const m = /^--from=(.+)$/.exec(w);
          if (m) {
            const scope: VariableScope = new Map([...globalArgs, ...(stageArgs ?? [])]);
            addImage(m[1], ins.line, scope, false);
          }
        }
      }
    } catch (err) {
      warnings.push({ file, line: ins.line, manager: "docker", message: `cannot read ${ins.keyword} instruction: ${String(err)}` });
    }
  });
  if (stageIndex < 0 && instructions.length > 0) {
    warnings.push({ file, line: null, manager: "docker", message: "no FROM instruction found" });
  }
  return { deps, warnings, meta: { primary: false } };
}

// ---------------------------------------------------------------------------------------------
// docker-compose
// ---------------------------------------------------------------------------------------------

/** Read a compose `.env` file: KEY=VALUE lines, optional quotes, `#` comments. */
export function parseDotEnv(content: string): VariableScope {
  const vars: VariableScope = new Map();
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2].trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, "");
    vars.set(m[1], value);
  }
  return vars;
}

function extractCompose(file: string, content: string, ctx: ExtractContext | undefined): ManagerResult {
  const { docs, warnings } = parseYaml(file, content, "docker");
  const deps: ExtractedDependency[] = [];
  const imagesBuilt: string[] = [];
  const envPath = dirOf(file) === "." ? ".env" : `${dirOf(file)}/.env`;
  const envText = ctx?.readFile(envPath);
  const env = envText !== undefined ? parseDotEnv(envText) : new Map<string, string | undefined>();
  for (const doc of docs) {
    if (doc.contents === null) continue;
    const servicesPair = getPair(doc.contents, "services");
    const services = servicesPair?.value;
    if (services === undefined || services === null || (isYScalar(services) && services.value === null)) continue;
    const entries = mapEntries(services);
    if (entries.length === 0 && kindOf(services) !== "a map") {
      warnings.push({
        file,
        line: lineOf(servicesPair?.key),
        manager: "docker",
        message: `"services" should be a map of service definitions, found ${kindOf(services)}`,
      });
      continue;
    }
    for (const { key, value } of entries) {
      // Aliases are resolved by the YAML tree: `image: *img` gives the anchored scalar.
      const imageNode = getNode(value, "image");
      if (imageNode === undefined) continue;
      const line = lineOf(imageNode);
      const raw = scalarText(imageNode);
      if (raw === null) {
        warnings.push({ file, line, manager: "docker", message: `services.${clip(key)}.image should be a string, found ${kindOf(imageNode)}` });
        continue;
      }
      const sub = substituteVariables(raw, env, null);
      if (getNode(value, "build") !== undefined) {
        // The service builds this image itself: not an external dependency.
        if (sub.unresolved.length === 0) imagesBuilt.push(sub.value);
        continue;
      }
      const skip = sub.unresolved.length > 0 ? "unresolved variable" : null;
      const { dep, warning } = imageDependency(sub.value, { file, line, package_manager: "docker", dependency_type: "prod" }, skip);
      if (warning) warnings.push({ file, line, manager: "docker", message: `services.${clip(key)}.image: ${warning}` });
      deps.push(dep);
    }
  }
  const meta = imagesBuilt.length > 0 ? { primary: false, images_built: imagesBuilt } : { primary: false };
  return { deps, warnings, meta };
}

export const dockerManager: Manager = {
  name: "docker",
  matches(path: string): boolean {
    return isDockerfile(path) || isComposeFile(path);
  },
  companions(path: string): string[] {
    if (!isComposeFile(path)) return [];
    return [dirOf(path) === "." ? ".env" : `${dirOf(path)}/.env`];
  },
  extract(path: string, content: string, ctx: ExtractContext): ManagerResult {
    return extractSafely(path, "docker", false, () => (isComposeFile(path) ? extractCompose(path, content, ctx) : extractDockerfile(path, content)));
  },
};
