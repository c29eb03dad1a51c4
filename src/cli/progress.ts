import type { CliIO } from "./io.js";

/** One progress step: the phase's name and its units done out of total. */
export interface ProgressUpdate {
  phase: string;
  done: number;
  total: number;
}

export interface ProgressBar {
  onProgress(p: ProgressUpdate): void;
  /** Stop and clear the bar; safe to call when it never started or twice. */
  stop(): void;
}

/**
 * A single progress bar on stderr, drawn only when stderr is a terminal (`io.stderrIsTTY`); when
 * piped it draws nothing, so scripted output stays clean. The bar clears itself when stopped.
 * cli-progress is imported only for a terminal, so piped runs never load it.
 */
export async function createProgressBar(io: CliIO, stream: NodeJS.WriteStream = process.stderr): Promise<ProgressBar> {
  const cliProgress = io.stderrIsTTY ? (await import("cli-progress")).default : null;
  const bar = cliProgress
    ? new cliProgress.SingleBar(
        { stream, format: "{phase} [{bar}] {value}/{total}", clearOnComplete: true, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let started = false;
  let stopped = false;
  return {
    onProgress: (p) => {
      if (!bar || stopped) return;
      if (!started) {
        bar.start(Math.max(p.total, 1), p.done, { phase: p.phase });
        started = true;
      }
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.done, { phase: p.phase });
    },
    stop: () => {
      if (started && !stopped) bar?.stop();
      stopped = true;
    },
  };
}
