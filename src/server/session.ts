import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What the session cookie holds (encrypted): the user's GitHub token and when the session ends. */
export interface SessionData {
  token: string;
  login: string | null;
  /** Expiry, ms since epoch. */
  exp: number;
}

export const SESSION_COOKIE = "cowabunga_session";
export const STATE_COOKIE = "cowabunga_oauth_state";
export const SESSION_TTL_SECONDS = 8 * 3600;

/**
 * Signed and encrypted cookies. The session cookie is `base64url(iv | ciphertext | tag) . hmac`:
 * AES-256-GCM keeps the token secret, the HMAC-SHA256 over the whole blob is checked first (constant time).
 * Keys are derived from COWABUNGA_SESSION_SECRET (random per process when unset: sessions then end on restart).
 */
export class SessionCodec {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(
    secret: string | undefined = process.env.COWABUNGA_SESSION_SECRET,
    private readonly clock: () => Date = () => new Date(),
  ) {
    const s = secret && secret.length > 0 ? secret : randomBytes(32).toString("hex");
    this.encKey = createHash("sha256").update(`cowabunga:enc:${s}`).digest();
    this.macKey = createHash("sha256").update(`cowabunga:mac:${s}`).digest();
  }

  private mac(data: string): string {
    return createHmac("sha256", this.macKey).update(data).digest("base64url");
  }

  /** `payload.mac` with the payload base64url-encoded JSON (not secret). */
  sign(value: unknown): string {
    const payload = Buffer.from(JSON.stringify(value)).toString("base64url");
    return `${payload}.${this.mac(payload)}`;
  }

  /** The signed value, or null when the signature does not match or the text is malformed. */
  verify(text: string | undefined): unknown {
    if (!text) return null;
    const i = text.lastIndexOf(".");
    if (i <= 0) return null;
    const payload = text.slice(0, i);
    const given = Buffer.from(text.slice(i + 1));
    const expected = Buffer.from(this.mac(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      return null;
    }
  }

  /** Encrypt then sign. */
  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.encKey, iv);
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    const blob = Buffer.concat([iv, ct, cipher.getAuthTag()]).toString("base64url");
    return `${blob}.${this.mac(blob)}`;
  }

  unseal(text: string | undefined): unknown {
    if (!text) return null;
    const i = text.lastIndexOf(".");
    if (i <= 0) return null;
    const blob = text.slice(0, i);
    const given = Buffer.from(text.slice(i + 1));
    const expected = Buffer.from(this.mac(blob));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const raw = Buffer.from(blob, "base64url");
    if (raw.length < 12 + 16 + 1) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.encKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const pt = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
      return JSON.parse(pt.toString("utf8"));
    } catch {
      return null;
    }
  }

  /** A session cookie value for this token. */
  createSession(token: string, login: string | null = null, ttlSeconds = SESSION_TTL_SECONDS): string {
    const data: SessionData = { token, login, exp: this.clock().getTime() + ttlSeconds * 1000 };
    return this.seal(data);
  }

  /**
   * The CSRF token of a session: an HMAC of the session cookie value under a CSRF-only label. Stateless and
   * bound to that one session (a new sign-in gives a new token); a page on another origin cannot read it.
   */
  csrfToken(sessionCookie: string): string {
    return createHmac("sha256", this.macKey).update(`cowabunga:csrf:${sessionCookie}`).digest("base64url");
  }

  /** Constant-time check of a submitted CSRF token against the session cookie it must belong to. */
  checkCsrf(sessionCookie: string | undefined, token: string | null | undefined): boolean {
    if (!sessionCookie || !token) return false;
    return safeEqual(this.csrfToken(sessionCookie), token);
  }

  /** The session in a cookie value, or null when absent, forged, or expired. */
  readSession(text: string | undefined): SessionData | null {
    const v = this.unseal(text) as Partial<SessionData> | null;
    if (!v || typeof v.token !== "string" || typeof v.exp !== "number") return null;
    if (v.exp <= this.clock().getTime()) return null;
    return { token: v.token, login: typeof v.login === "string" ? v.login : null, exp: v.exp };
  }
}

/** Constant-time string comparison (hashes first, so lengths leak nothing). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
