import { promises as fs } from "node:fs";
import { parse } from "yaml";
import { CowabungaConfig, defaultConfig } from "../config/schema.js";
import { UsageError } from "./io.js";

/**
 * Load .github/cowabunga.yml (or the given file). A missing default file means defaults; a missing
 * explicit file, a YAML error or a schema violation is a UsageError naming the file and each problem.
 */
export async function loadCliConfig(file: string, explicit: boolean): Promise<CowabungaConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === "ENOENT") return defaultConfig();
    throw new UsageError(`config file ${file} could not be read: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new UsageError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = CowabungaConfig.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    throw new UsageError(`config file ${file} is invalid:\n${problems.join("\n")}`);
  }
  return parsed.data;
}
