/** Structured log line for one scan: duration and the reads/writes it made (GitHub calls, store files). */
export interface ScanLogFields {
  duration_ms: number;
  reads: number;
  writes: number;
  repository?: string;
  [key: string]: unknown;
}

export interface InfoLogger {
  info(obj: object, msg: string): void;
}

/** Log a finished scan as one structured line (`event: "scan"`), with a console fallback. */
export function logScan(fields: ScanLogFields, logger?: InfoLogger): void {
  const line = { event: "scan", ...fields, duration_ms: Math.round(fields.duration_ms) };
  const msg = `scan${fields.repository ? ` of ${fields.repository}` : ""} took ${line.duration_ms} ms (${fields.reads} reads, ${fields.writes} writes)`;
  if (logger) logger.info(line, msg);
  else console.log(JSON.stringify({ ...line, msg }));
}
