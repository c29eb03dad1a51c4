import { collapseLineBreaks } from "../report/escape.js";

/** Keep secrets (webhook URLs, SMTP passwords) out of logs and stored errors. */

/** Only the host of a URL, for logs: `https://hooks.slack.com/services/T/B/secret` → `hooks.slack.com`. */
export function hostOnly(url: string): string {
  try {
    const u = new URL(url);
    return u.host || "(no host)";
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Replace every occurrence of the given secrets (and of URLs' paths/credentials) in a message.
 * Each secret that is a URL is also removed in its decoded, path-only and password-only forms, since
 * error messages from fetch or SMTP may quote any of them.
 */
export function redactSecrets(message: string, secrets: readonly (string | null | undefined)[]): string {
  let out = message;
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    try {
      const u = new URL(s);
      if (u.password) {
        forms.add(u.password);
        forms.add(decodeURIComponent(u.password));
      }
      if (u.pathname.length > 1) {
        forms.add(u.pathname);
        forms.add(decodeURIComponent(u.pathname));
      }
      forms.add(u.href);
    } catch {
      /* not a URL: only the literal form */
    }
  }
  // Longest first, so a URL is replaced before its own path.
  for (const f of [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(f).join("***");
  }
  return out.slice(0, 1000);
}

/** The message of anything thrown, redacted, on one line. */
export function errorMessage(err: unknown, secrets: readonly (string | null | undefined)[] = []): string {
  const parts: string[] = [];
  let cur: unknown = err;
  // Walk the cause chain (fetch hides the socket error two levels down).
  for (let depth = 0; depth < 4 && cur != null; depth++) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      let m = cur.message;
      if (typeof code === "string" && !m.includes(code)) m += ` (${code})`;
      if (m && !parts.some((p) => p.includes(m))) parts.push(m);
      const next: unknown = (cur as { cause?: unknown }).cause ?? (cur as { original?: unknown }).original;
      cur = next;
    } else {
      parts.push(String(cur));
      cur = null;
    }
  }
  return redactSecrets(collapseLineBreaks(parts.join(": ")), secrets);
}
