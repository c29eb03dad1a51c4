// Entry point of the `cowabunga` command. bin/cowabunga.js runs its esbuild bundle (dist/cli) when fresh, else this file through tsx.
import { runCli } from "./program.js";

// `cowabunga scan | head`: the reader went away; stop quietly, as Unix tools do, instead of crashing on EPIPE.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await runCli(process.argv);
