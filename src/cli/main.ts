// Entry point of the `cowabunga` command. bin/cowabunga.js runs its esbuild bundle (dist/cli) when fresh, else this file through tsx.
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv);
