/** Real protocol peers for the notification tests: an SMTP server and a Slack-like webhook endpoint on 127.0.0.1. */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SMTPServer } from "smtp-server";
import type { Alert } from "../../../src/act/notify/index.js";

export interface ReceivedMail {
  from: string | null;
  to: string[];
  raw: string;
  user: string | null;
  /** The session was encrypted (SMTPS, or upgraded with STARTTLS). */
  secure: boolean;
}

const TLS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/notify");
/** The test-only self-signed certificate (localhost, 127.0.0.1) and its key: see test/fixtures/notify/README.md. */
export const TEST_TLS = {
  cert: readFileSync(path.join(TLS_DIR, "smtp-cert.pem"), "utf8"),
  key: readFileSync(path.join(TLS_DIR, "smtp-key.pem"), "utf8"),
  certPath: path.join(TLS_DIR, "smtp-cert.pem"),
};

export interface SmtpPeerOptions {
  /** none: plain text, STARTTLS disabled (default); starttls: plain, upgraded on request; smtps: TLS from the first byte. */
  tls?: "none" | "starttls" | "smtps";
  /** Refuse login-less sessions. */
  requireAuth?: boolean;
  /** Answer the DATA of this many first messages with a temporary failure (451). */
  rejectFirst?: number;
}

export interface SmtpPeer {
  port: number;
  mails: ReceivedMail[];
  /** Stop listening (the port then refuses connections). */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
}

export const SMTP_USER = "cowuser";
export const SMTP_PASS = "s3cret-Pass-42";

function smtpServer(mails: ReceivedMail[], opts: SmtpPeerOptions = {}, state = { rejected: 0, rejections: [] as string[] }): SMTPServer {
  const tls = opts.tls ?? "none";
  return new SMTPServer({
    secure: tls === "smtps",
    ...(tls === "none" ? { disabledCommands: ["STARTTLS"] } : { key: TEST_TLS.key, cert: TEST_TLS.cert }),
    authOptional: !opts.requireAuth,
    // Only the plain-text peer takes a password in clear; with TLS, login waits for the encryption.
    allowInsecureAuth: tls === "none",
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASS) cb(null, { user: auth.username });
      else cb(new Error("bad credentials"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (state.rejected < (opts.rejectFirst ?? 0)) {
          state.rejected += 1;
          cb(Object.assign(new Error("Mailbox temporarily unavailable, try again later"), { responseCode: 451 }));
          return;
        }
        mails.push({
          secure: session.secure,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          user: typeof session.user === "string" ? session.user : null,
        });
        cb();
      });
    },
  });
}

export async function startSmtpPeer(opts: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  const state = { rejected: 0, rejections: [] as string[] };
  let server = smtpServer(mails, opts, state);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve((server.server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  let running = true;
  return {
    port,
    mails,
    async stop() {
      if (!running) return;
      running = false;
      await new Promise<void>((r) => server.close(() => r()));
    },
    async start() {
      if (running) return;
      server = smtpServer(mails, opts, state);
      await listen(port);
      running = true;
    },
  };
}

export interface SlackPeer {
  port: number;
  /** Webhook URL with a secret-looking path. */
  url: string;
  /** The secret part of the path. */
  secret: string;
  /** Bodies of requests answered 200. */
  payloads: Array<Record<string, unknown>>;
  /** Every request seen, including failed ones. */
  hits: number;
  /** Status to answer with (200 = accept). */
  status: number;
  close(): Promise<void>;
}

export async function startSlackPeer(secret = "XyZsecretWEBHOOKtoken123"): Promise<SlackPeer> {
  const peer = { payloads: [] as Array<Record<string, unknown>>, hits: 0, status: 200 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      peer.hits += 1;
      if (req.method !== "POST" || req.url !== `/services/T000/B000/${secret}` || req.headers["content-type"] !== "application/json") {
        res.writeHead(404).end("no_service");
        return;
      }
      if (peer.status !== 200) {
        res.writeHead(peer.status).end("internal_error");
        return;
      }
      peer.payloads.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(peer, {
    port,
    secret,
    url: `http://127.0.0.1:${port}/services/T000/B000/${secret}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

/** Hostile text: HTML, Slack control sequences, mentions, header injection. */
export const HOSTILE = `<script>alert("x")</script> & <!channel> <@U123> @here #1 \r\nBcc: victim@example.com`;

export function makeAlert(over: Partial<Alert> = {}): Alert {
  return {
    key: "critical_cvss:pypi:requests@2.19.0",
    condition: "critical_cvss",
    level: "critical",
    title: "requests 2.19.0: CVE-2018-18074 (CVSS 9.8)",
    message: "requests < 2.20.0 leaks Authorization headers on redirects.",
    component: "api",
    issue_ids: ["issue-1"],
    created_at: "2026-01-15T12:00:00.000Z",
    links: [
      { label: "Report", url: "https://example.com/report/acme/app" },
      { label: "Bad link", url: "javascript:alert(1)" },
    ],
    ...over,
  };
}

/** Logger that records everything it is given, to check no secret leaks. */
export function recordingLogger(): { lines: string[]; info(o: object, m: string): void; warn(o: object, m: string): void } {
  const lines: string[] = [];
  return {
    lines,
    info: (o, m) => lines.push(`INFO ${m} ${JSON.stringify(o)}`),
    warn: (o, m) => lines.push(`WARN ${m} ${JSON.stringify(o)}`),
  };
}

/** Minimal MIME reader for the tests (headers, multipart/alternative parts, quoted-printable/base64). */
export interface ParsedMail {
  headers: Record<string, string>;
  parts: Array<{ type: string; body: string }>;
}

/** RFC 2047 encoded words (nodemailer Q-encodes subjects with special characters). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), "binary").toString("utf8"),
    );
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r\n[ \t]+/g, " ").split(/\r\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  return headers;
}

function decodeBody(body: string, encoding: string | undefined): string {
  const enc = (encoding ?? "7bit").toLowerCase();
  if (enc === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (enc === "quoted-printable") {
    const bytes = Buffer.from(body.replace(/=\r?\n/g, ""), "binary");
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0x3d && /^[0-9A-F]{2}$/i.test(bytes.subarray(i + 1, i + 3).toString())) {
        out.push(parseInt(bytes.subarray(i + 1, i + 3).toString(), 16));
        i += 2;
      } else out.push(bytes[i]);
    }
    return Buffer.from(out).toString("utf8");
  }
  return body;
}

export function parseMail(raw: string): ParsedMail {
  const split = raw.indexOf("\r\n\r\n");
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split + 4);
  const boundary = /boundary="?([^";]+)"?/.exec(headers["content-type"] ?? "")?.[1];
  if (!boundary) return { headers, parts: [{ type: (headers["content-type"] ?? "").split(";")[0], body: decodeBody(body, headers["content-transfer-encoding"]) }] };
  const parts = body
    .split(`--${boundary}`)
    .slice(1)
    .filter((p) => !p.startsWith("--"))
    .map((p) => {
      const s = p.replace(/^\r\n/, "");
      const j = s.indexOf("\r\n\r\n");
      const h = parseHeaders(s.slice(0, j));
      return { type: (h["content-type"] ?? "").split(";")[0].trim(), body: decodeBody(s.slice(j + 4).replace(/\r\n$/, ""), h["content-transfer-encoding"]) };
    });
  return { headers, parts };
}
