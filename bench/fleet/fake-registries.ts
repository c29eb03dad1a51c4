/**
 * Package registries and the OSV API for `npm run bench:fleet`, on one loopback HTTP server, each answer
 * after a fixed latency (default 50 ms, as a nearby mirror). The app reaches them through its ordinary
 * settings, `COWABUNGA_REGISTRY_<ECOSYSTEM>` (see `env()`), exactly as an air-gapped operator points it at
 * mirrors.
 *
 * - npm `{base}/npm/{name}`, PyPI `{base}/pypi/pypi/{name}/json`, crates `{base}/crates/api/v1/crates/{name}`,
 *   Go `{base}/go/{module}/@v/list|{v}.info|@latest`, Docker `{base}/docker/v2/{repo}/tags/list`: every package
 *   exists, with releases derived from a hash of its name (two majors of minors and patches, dated 2023–2026).
 * - OSV `{base}/osv/v1/querybatch` and `/v1/vulns/{id}`: the corpus's OSV records (../shared/corpus/osv, read in
 *   place). A query is answered with every record naming the package; the app matches versions itself.
 *
 * It counts requests per ecosystem and the distinct packages asked for, so the bench can put registry
 * requests against unique packages.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export type Ecosystem = "npm" | "pypi" | "crates" | "go" | "docker" | "osv";

interface OsvRecord {
  id: string;
  modified: string;
  raw: string;
}

export class FakeRegistries {
  port = 0;
  readonly latencyMs: number;
  /** HTTP requests per ecosystem (OSV: querybatch calls and record fetches). */
  readonly requests: Record<Ecosystem, number> = { npm: 0, pypi: 0, crates: 0, go: 0, docker: 0, osv: 0 };
  /** Distinct packages asked for per ecosystem (OSV: distinct package queries). */
  readonly packages: Record<Ecosystem, Set<string>> = { npm: new Set(), pypi: new Set(), crates: new Set(), go: new Set(), docker: new Set(), osv: new Set() };
  /** Requests for a package asked for before (the fleet's shared cache should make these rare). */
  readonly repeats: Record<Ecosystem, number> = { npm: 0, pypi: 0, crates: 0, go: 0, docker: 0, osv: 0 };
  osvBatches = 0;
  osvRecordFetches = 0;
  osvQueries = 0;
  unknownPaths = 0;
  private readonly osvByPackage = new Map<string, OsvRecord[]>();
  private readonly osvById = new Map<string, OsvRecord>();
  private server: Server | null = null;
  private readonly seenUrls = new Set<string>();

  constructor(opts: { latencyMs?: number; osvDir?: string | null } = {}) {
    this.latencyMs = opts.latencyMs ?? 50;
    if (opts.osvDir && existsSync(opts.osvDir)) this.loadOsv(opts.osvDir);
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get osvRecords(): number {
    return this.osvById.size;
  }

  /** The app's settings that point every mirrored registry here. */
  env(): Record<string, string> {
    return {
      COWABUNGA_REGISTRY_NPM: `${this.base}/npm`,
      COWABUNGA_REGISTRY_PYPI: `${this.base}/pypi`,
      COWABUNGA_REGISTRY_CRATES: `${this.base}/crates`,
      COWABUNGA_REGISTRY_GO: `${this.base}/go`,
      COWABUNGA_REGISTRY_DOCKER: `${this.base}/docker`,
      COWABUNGA_REGISTRY_OSV: `${this.base}/osv`,
    };
  }

  private loadOsv(dir: string): void {
    for (const eco of readdirSync(dir)) {
      const sub = path.join(dir, eco);
      let names: string[];
      try {
        names = readdirSync(sub).filter((n) => n.endsWith(".json"));
      } catch {
        continue;
      }
      for (const n of names) {
        const raw = readFileSync(path.join(sub, n), "utf8");
        let doc: { id?: unknown; modified?: unknown; withdrawn?: unknown; affected?: Array<{ package?: { ecosystem?: unknown; name?: unknown } }> };
        try {
          doc = JSON.parse(raw) as typeof doc;
        } catch {
          continue;
        }
        if (typeof doc.id !== "string" || doc.withdrawn) continue;
        const rec: OsvRecord = { id: doc.id, modified: typeof doc.modified === "string" ? doc.modified : "2026-01-01T00:00:00Z", raw };
        this.osvById.set(rec.id, rec);
        for (const a of doc.affected ?? []) {
          if (typeof a.package?.ecosystem !== "string" || typeof a.package.name !== "string") continue;
          const key = osvKey(a.package.ecosystem, a.package.name);
          const list = this.osvByPackage.get(key) ?? [];
          if (!list.includes(rec)) list.push(rec);
          this.osvByPackage.set(key, list);
        }
      }
    }
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private count(eco: Ecosystem, pkg: string, url: string): void {
    this.requests[eco]++;
    this.packages[eco].add(pkg);
    if (this.seenUrls.has(url)) this.repeats[eco]++;
    else this.seenUrls.add(url);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    await new Promise((r) => setTimeout(r, this.latencyMs));
    const url = new URL(req.url ?? "/", this.base);
    const p = decodeURIComponent(url.pathname);
    let m: RegExpExecArray | null;
    if ((m = /^\/npm\/(.+)$/.exec(p))) {
      const name = m[1]!;
      this.count("npm", name, p);
      const rel = releasesOf(`npm:${name}`);
      const versions: Record<string, unknown> = {};
      const time: Record<string, string> = {};
      for (const r of rel.list) {
        versions[r.version] = { name, version: r.version };
        time[r.version] = r.date;
      }
      return json(res, 200, { name, "dist-tags": { latest: rel.latest }, versions, time, repository: { type: "git", url: `git+https://github.com/example/${name.replace(/^@/, "").replace("/", "-")}.git` } });
    }
    if ((m = /^\/pypi\/pypi\/([^/]+)\/json$/.exec(p))) {
      const name = m[1]!;
      this.count("pypi", name, p);
      const rel = releasesOf(`pypi:${name}`);
      const releases: Record<string, unknown> = {};
      for (const r of rel.list) releases[r.version] = [{ upload_time_iso_8601: r.date, requires_python: null, yanked: false }];
      return json(res, 200, { info: { name, version: rel.latest, project_urls: { Source: `https://github.com/example/${name}` }, classifiers: [] }, releases });
    }
    if ((m = /^\/crates\/api\/v1\/crates\/([^/]+)$/.exec(p))) {
      const name = m[1]!;
      this.count("crates", name, p);
      const rel = releasesOf(`crates:${name}`);
      return json(res, 200, { crate: { name, max_stable_version: rel.latest, repository: `https://github.com/example/${name}` }, versions: rel.list.map((r) => ({ num: r.version, created_at: r.date, yanked: false })) });
    }
    if ((m = /^\/go\/(.+)\/@v\/list$/.exec(p))) {
      const mod = m[1]!;
      this.count("go", mod, p);
      return text(res, 200, releasesOf(`go:${mod}`).list.map((r) => `v${r.version}`).join("\n") + "\n");
    }
    if ((m = /^\/go\/(.+)\/@v\/(v[^/]+)\.info$/.exec(p))) {
      const mod = m[1]!;
      this.count("go", mod, p);
      const r = releasesOf(`go:${mod}`).list.find((x) => `v${x.version}` === m![2]);
      return r ? json(res, 200, { Version: m[2], Time: r.date }) : json(res, 404, { message: "not found" });
    }
    if ((m = /^\/go\/(.+)\/@latest$/.exec(p))) {
      const mod = m[1]!;
      this.count("go", mod, p);
      const rel = releasesOf(`go:${mod}`);
      return json(res, 200, { Version: `v${rel.latest}`, Time: rel.list.at(-1)!.date });
    }
    if ((m = /^\/docker\/v2\/(.+)\/tags\/list$/.exec(p))) {
      const repo = m[1]!;
      this.count("docker", repo, p);
      const rel = releasesOf(`docker:${repo}`);
      return json(res, 200, { name: repo, tags: ["latest", ...rel.list.map((r) => r.version), ...rel.list.slice(-3).map((r) => `${r.version}-alpine`)] });
    }
    if (p === "/osv/v1/querybatch" && req.method === "POST") {
      this.osvBatches++;
      this.requests.osv++;
      let body: { queries?: Array<{ package?: { ecosystem?: string; name?: string }; version?: string }> };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
      } catch {
        return json(res, 400, { message: "bad json" });
      }
      const queries = Array.isArray(body.queries) ? body.queries : [];
      this.osvQueries += queries.length;
      const results = queries.map((q) => {
        const key = osvKey(String(q.package?.ecosystem ?? ""), String(q.package?.name ?? ""));
        this.packages.osv.add(`${key}@${q.version ?? ""}`);
        const recs = this.osvByPackage.get(key) ?? [];
        return recs.length ? { vulns: recs.map((r) => ({ id: r.id, modified: r.modified })) } : {};
      });
      return json(res, 200, { results });
    }
    if ((m = /^\/osv\/v1\/vulns\/(.+)$/.exec(p))) {
      this.osvRecordFetches++;
      this.requests.osv++;
      const rec = this.osvById.get(m[1]!);
      if (!rec) return json(res, 404, { message: "not found" });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(rec.raw) }).end(rec.raw);
      return;
    }
    this.unknownPaths++;
    return json(res, 404, { message: `no fake registry route for ${req.method} ${p.slice(0, 200)}` });
  }
}

function osvKey(ecosystem: string, name: string): string {
  const eco = ecosystem.trim();
  const n = eco === "PyPI" ? name.trim().toLowerCase().replace(/[-_.]+/g, "-") : name.trim();
  return `${eco}|${n}`;
}

/** Releases of a package, from a hash of its name: two majors × four minors × three patches, 2023–2026. */
export function releasesOf(key: string): { latest: string; list: Array<{ version: string; date: string }> } {
  const h = createHash("sha1").update(key).digest();
  const major = h[0]! % 5;
  const list: Array<{ version: string; date: string }> = [];
  const start = Date.parse("2023-01-01T00:00:00Z");
  const step = 30 * 86_400_000 + (h[1]! % 20) * 86_400_000;
  let t = start;
  for (let M = major; M <= major + 1; M++)
    for (let mi = 0; mi < 4; mi++)
      for (let pa = 0; pa < 3; pa++) {
        list.push({ version: `${M}.${mi}.${pa}`, date: new Date(t).toISOString() });
        t += step;
      }
  return { latest: list.at(-1)!.version, list };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const t = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(t) }).end(t);
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) }).end(body);
}
