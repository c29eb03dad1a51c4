// Entry point of the `cowabunga` command (launched by bin/cowabunga.js through tsx).
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv);
