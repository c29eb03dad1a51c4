import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { renderChart, TemplateError, type RenderOptions } from "../helpers/helm-render.js";
import { CHART_DIR, applyZarfVariables, imageRepository, packageJson, readProjectFile, zarfVariableDefaults } from "./deploy-files.js";

// deploy/helm/cowabunga rendered without the helm binary (test/helpers/helm-render.ts: Go-template
// semantics for the subset the chart uses), then every document parsed as YAML and checked where it
// matters: kinds, commands, probes, security contexts, Secrets by reference, selectors, the image.

type Obj = Record<string, unknown>;
interface K8s {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Obj;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }>;
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  startupProbe?: { httpGet?: { path: string; port: string } };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: Array<{ name: string; emptyDir?: Obj; persistentVolumeClaim?: { claimName: string } }>;
  automountServiceAccountToken?: boolean;
  restartPolicy?: string;
}

/** Render, then parse every document: a YAML error fails with the template's name. */
function render(opts: RenderOptions = {}): K8s[] {
  const { files } = renderChart(CHART_DIR, opts);
  const out: K8s[] = [];
  for (const [file, text] of files) {
    for (const doc of YAML.parseAllDocuments(text)) {
      expect(doc.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
      const obj = doc.toJS() as K8s | null;
      if (obj === null) continue; // a template switched off renders nothing
      expect(obj.apiVersion, `${file}: apiVersion`).toBeTruthy();
      expect(obj.kind, `${file}: kind`).toBeTruthy();
      expect(obj.metadata?.name, `${file}: metadata.name`).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      out.push(obj);
    }
  }
  return out;
}

const one = (docs: K8s[], kind: string, component?: string): K8s => {
  const hits = docs.filter((d) => d.kind === kind && (!component || d.metadata.labels?.["app.kubernetes.io/component"] === component));
  expect(hits, `${kind} ${component ?? ""}`).toHaveLength(1);
  return hits[0];
};
const podOf = (d: K8s): { labels: Record<string, string>; spec: PodSpec } => {
  const t = d.spec.template as { metadata: { labels: Record<string, string> }; spec: PodSpec };
  return { labels: t.metadata.labels, spec: t.spec };
};

const values = YAML.parse(readProjectFile("deploy/helm/cowabunga/values.yaml")) as { secretEnv: Record<string, { secret: string; key: string; optional?: boolean }> };
const version = packageJson().version;
const expectedImage = `${imageRepository()}:${version}`;

/** What every pod of the chart must satisfy. */
function checkPod(what: string, spec: PodSpec, args: string): Container {
  expect(spec.securityContext?.runAsNonRoot, `${what}: runAsNonRoot`).toBe(true);
  expect(spec.securityContext?.runAsUser, `${what}: runAsUser`).toBeGreaterThan(0);
  // The Dockerfile's USER is the same uid, so files the image owns for the app are writable by it.
  expect(/^USER (\d+):/m.exec(readProjectFile("Dockerfile"))?.[1]).toBe(String(spec.securityContext?.runAsUser));
  expect(spec.automountServiceAccountToken, `${what}: no service account token`).toBe(false);
  expect(spec.containers).toHaveLength(1);
  const c = spec.containers[0];
  expect(c.image, `${what}: image`).toBe(expectedImage);
  expect(c.args, `${what}: command`).toEqual([args]);
  expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  expect(c.securityContext?.capabilities?.drop).toContain("ALL");
  // A read-only root needs a writable /tmp (tsx's cache, temp files): an emptyDir.
  const tmp = c.volumeMounts?.find((m) => m.mountPath === "/tmp");
  expect(tmp, `${what}: /tmp mount`).toBeTruthy();
  expect(spec.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
  // Secrets come only from existing Secrets, by reference, never as literal values.
  const env = new Map((c.env ?? []).map((e) => [e.name, e]));
  for (const [name, ref] of Object.entries(values.secretEnv)) {
    const e = env.get(name);
    expect(e, `${what}: ${name}`).toBeDefined();
    expect(e?.value, `${what}: ${name} must not be a literal`).toBeUndefined();
    expect(e?.valueFrom?.secretKeyRef).toEqual({ name: ref.secret, key: ref.key, ...(ref.optional ? { optional: true } : {}) });
  }
  expect(env.get("DATABASE_URL")?.valueFrom?.secretKeyRef?.optional, `${what}: DATABASE_URL is required`).toBeUndefined();
  return c;
}

describe("deploy/helm/cowabunga with its default values", () => {
  const docs = render();

  it("renders the serve and worker Deployments, their Service and the migration Job, nothing else", () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual(["Deployment/cowabunga-serve", "Deployment/cowabunga-worker", "Job/cowabunga-migrate", "Service/cowabunga"]);
  });

  it("serve: non-root, read-only, Secrets by reference, probes on /healthz and /readyz of its http port", () => {
    const d = one(docs, "Deployment", "serve");
    expect(d.apiVersion).toBe("apps/v1");
    expect(d.spec.replicas).toBe(2);
    const pod = podOf(d);
    for (const [k, v] of Object.entries((d.spec.selector as { matchLabels: Record<string, string> }).matchLabels)) expect(pod.labels[k]).toBe(v);
    const c = checkPod("serve", pod.spec, "serve");
    const port = c.ports?.find((p) => p.name === "http");
    expect(port?.containerPort).toBe(3000);
    expect(c.env?.find((e) => e.name === "PORT")?.value).toBe("3000");
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.startupProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    // The image's own HEALTHCHECK asks the same endpoint.
    expect(readProjectFile("Dockerfile")).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
  });

  it("worker: the same pod rules, `worker`, probes on /healthz and /readyz of WORKER_PORT", () => {
    const d = one(docs, "Deployment", "worker");
    expect(d.spec.replicas).toBe(2);
    const c = checkPod("worker", podOf(d).spec, "worker");
    // `cowabunga worker` listens on WORKER_PORT (default 3001; it does not read PORT): the probes must use it.
    const env = new Map((c.env ?? []).map((e) => [e.name, e]));
    expect(env.get("WORKER_PORT")?.value).toBe("3001");
    expect(env.has("PORT")).toBe(false);
    expect(c.ports).toEqual([{ name: "health", containerPort: 3001 }]);
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "health" });
    expect(env.has("COWABUNGA_CONCURRENCY")).toBe(false); // the app's default unless set
    const tuned = render({ values: [{ worker: { port: 9090, concurrency: 4 } }] });
    const wc = podOf(one(tuned, "Deployment", "worker")).spec.containers[0];
    const tunedEnv = new Map((wc.env ?? []).map((e) => [e.name, e.value]));
    expect(wc.ports).toEqual([{ name: "health", containerPort: 9090 }]);
    expect(tunedEnv.get("WORKER_PORT")).toBe("9090");
    expect(tunedEnv.get("COWABUNGA_CONCURRENCY")).toBe("4");
    // Concurrency is the worker's: serve runs no jobs.
    expect(podOf(one(tuned, "Deployment", "serve")).spec.containers[0].env?.some((e) => e.name === "COWABUNGA_CONCURRENCY")).toBe(false);
  });

  it("the operator tokens come from an existing Secret, optional, on serve and worker", () => {
    for (const component of ["serve", "worker"]) {
      const env = new Map((podOf(one(docs, "Deployment", component)).spec.containers[0].env ?? []).map((e) => [e.name, e]));
      for (const name of ["COWABUNGA_ADMIN_TOKEN", "COWABUNGA_METRICS_TOKEN"]) {
        expect(env.get(name)?.value, `${component}: ${name} is no literal`).toBeUndefined();
        expect(env.get(name)?.valueFrom?.secretKeyRef, `${component}: ${name}`).toEqual({ name: "cowabunga-operator", key: name, optional: true });
      }
    }
  });

  it("the job queue settings reach serve and worker when set, and are left out when empty", () => {
    const settings = {
      COWABUNGA_JOB_RETRIES: "5",
      COWABUNGA_JOB_RETRY_DELAY_SECONDS: "60",
      COWABUNGA_JOB_TIMEOUT_SECONDS: "900",
      COWABUNGA_JOB_POLL_SECONDS: "2",
      COWABUNGA_JOB_REAP_INTERVAL_SECONDS: "10",
      COWABUNGA_JOB_REAP_GRACE_SECONDS: "20",
      COWABUNGA_JOB_BUSY_DELAY_SECONDS: "3",
    };
    const defaults = podOf(one(docs, "Deployment", "worker")).spec.containers[0].env ?? [];
    expect(defaults.filter((e) => e.name.startsWith("COWABUNGA_JOB_"))).toEqual([]);
    const set = render({ values: [{ env: settings }] });
    for (const component of ["serve", "worker"]) {
      const env = new Map((podOf(one(set, "Deployment", component)).spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
      for (const [k, v] of Object.entries(settings)) expect(env.get(k), `${component}: ${k}`).toBe(v);
    }
  });

  it("the migration Job runs `cowabunga migrate` as a pre-install and pre-upgrade hook, once", () => {
    const j = one(docs, "Job", "migrate");
    expect(j.apiVersion).toBe("batch/v1");
    expect(j.metadata.annotations?.["helm.sh/hook"]?.split(",").sort()).toEqual(["pre-install", "pre-upgrade"]);
    expect(j.metadata.annotations?.["helm.sh/hook-delete-policy"]).toContain("before-hook-creation");
    const pod = podOf(j);
    expect(pod.spec.restartPolicy).toBe("Never");
    checkPod("migrate", pod.spec, "migrate");
    expect(j.spec.backoffLimit).toBe(3);
    expect(render({ values: [{ migration: { enabled: false } }] }).some((d) => d.kind === "Job")).toBe(false);
  });

  it("the Service selects the serve pods only, on their http port", () => {
    const s = one(docs, "Service");
    const serve = podOf(one(docs, "Deployment", "serve"));
    const worker = podOf(one(docs, "Deployment", "worker"));
    const selector = s.spec.selector as Record<string, string>;
    expect(Object.entries(selector).every(([k, v]) => serve.labels[k] === v)).toBe(true);
    expect(Object.entries(selector).every(([k, v]) => worker.labels[k] === v)).toBe(false);
    expect(s.spec.ports).toEqual([{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }]);
  });

  it("labels carry the chart's appVersion, and the image tag defaults to it", () => {
    for (const d of docs) expect(d.metadata.labels?.["app.kubernetes.io/version"]).toBe(version);
    const untagged = render({ values: [{ image: { tag: "" } }] });
    expect(podOf(one(untagged, "Deployment", "serve")).spec.containers[0].image).toBe(expectedImage);
  });
});

describe("the chart knows every variable the README documents", () => {
  it("each one is in values.yaml's env or secretEnv, or set by the chart itself", () => {
    const readme = readProjectFile("README.md");
    const start = readme.indexOf("## Environment variables");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 10));
    const documented = new Set<string>();
    for (const line of section.split("\n")) {
      const first = /^\|([^|]+)\|/.exec(line)?.[1] ?? "";
      for (const m of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) documented.add(m[1]);
    }
    expect(documented.size).toBeGreaterThan(20);
    const values = YAML.parse(readProjectFile("deploy/helm/cowabunga/values.yaml")) as { env: Record<string, string>; secretEnv: Record<string, unknown> };
    // Set by the chart (PORT, the data dir, the OSV mirror mount), or not for a server in a cluster:
    // a key file path (PRIVATE_KEY is used), the GitHub Action's switch, Probot's defaults kept as they are,
    // the local-development webhook proxy.
    const byChart = new Set(["PORT", "COWABUNGA_DATA_DIR", "COWABUNGA_OSV_DB", "PRIVATE_KEY_PATH", "COWABUNGA_FORCE", "NODE_ENV", "HOST", "WEBHOOK_PATH", "COWABUNGA_OAUTH_SCOPE", "WEBHOOK_PROXY_URL"]);
    const missing = [...documented].filter((v) => !(v in values.env) && !(v in values.secretEnv) && !byChart.has(v));
    expect(missing, "add them to values.yaml (env, or secretEnv for secrets)").toEqual([]);
  });

  it("so does every setting of the cluster section, and every variable the source reads", () => {
    const readme = readProjectFile("README.md");
    const start = readme.indexOf("## Cluster: serve and worker");
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf("\n## ", start + 10));
    const settings = section.slice(section.indexOf("Settings:"));
    const documented = new Set([...settings.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
    for (const v of ["WORKER_PORT", "COWABUNGA_CONCURRENCY", "COWABUNGA_JOB_RETRIES", "COWABUNGA_ADMIN_TOKEN", "COWABUNGA_METRICS_TOKEN"]) expect(documented).toContain(v);
    // Read by the source: process.env.X, env.X, env["X"] and the names given to the settings helpers.
    const read = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".ts")) for (const m of readFileSync(p, "utf8").matchAll(/\b((?:COWABUNGA|WORKER|DATABASE|REDIS)_[A-Z0-9_]*[A-Z0-9])\b/g)) read.add(m[1]);
      }
    };
    walk(path.join(CHART_DIR, "../../../src"));
    const values = YAML.parse(readProjectFile("deploy/helm/cowabunga/values.yaml")) as { env: Record<string, string>; secretEnv: Record<string, unknown>; worker: Record<string, unknown> };
    // Set by the chart or its values (data dir, OSV mount, the worker's port and concurrency); families of
    // variables whose members the operator names (COWABUNGA_REGISTRY_<ECOSYSTEM>: each listed in env;
    // COWABUNGA_SLACK_WEBHOOK_<CHANNEL>: the default channel is listed, others are added to secretEnv); the
    // GitHub Action's switch and OAuth Apps' scope (see above).
    const byChart = new Set(["COWABUNGA_DATA_DIR", "COWABUNGA_OSV_DB", "WORKER_PORT", "COWABUNGA_CONCURRENCY", "COWABUNGA_REGISTRY", "COWABUNGA_SLACK_WEBHOOK", "COWABUNGA_FORCE", "COWABUNGA_OAUTH_SCOPE"]);
    expect(values.worker.port).toBe(3001);
    expect(values.worker).toHaveProperty("concurrency");
    const missing = [...new Set([...documented, ...read])].filter((v) => !(v in values.env) && !(v in values.secretEnv) && !byChart.has(v));
    expect(missing, "add them to values.yaml (env, or secretEnv for secrets)").toEqual([]);
  });
});

describe("deploy/helm/cowabunga with the Zarf package's values (deploy/zarf/values.yaml)", () => {
  const vars = zarfVariableDefaults();
  const zarfValues = YAML.parse(applyZarfVariables(readProjectFile("deploy/zarf/values.yaml"), vars)) as Record<string, unknown>;
  const docs = render({ values: [zarfValues] });

  it("every ###ZARF_VAR_*### it uses is declared in zarf.yaml, and replicas come out as numbers", () => {
    expect(typeof one(docs, "Deployment", "serve").spec.replicas).toBe("number");
    expect(one(docs, "Deployment", "worker").spec.replicas).toBe(Number(vars.get("WORKER_REPLICAS")));
  });

  it("is offline, points at the public URL, and keeps every secret a reference", () => {
    const c = checkPod("serve", podOf(one(docs, "Deployment", "serve")).spec, "serve");
    const env = new Map((c.env ?? []).map((e) => [e.name, e]));
    expect(env.get("COWABUNGA_OFFLINE")?.value).toBe("true");
    expect(env.get("COWABUNGA_PUBLIC_URL")?.value).toBe(vars.get("PUBLIC_URL"));
    expect(env.get("DATABASE_URL")?.valueFrom?.secretKeyRef?.name).toBe(vars.get("DATABASE_SECRET"));
    expect(env.has("GHE_HOST")).toBe(false); // empty values are left out
  });

  it("deploy-time variables switch from offline to registry mirrors inside the enclave", () => {
    const mirrored = new Map([...vars, ["OFFLINE", ""], ["REGISTRY_NPM", "https://npm.enclave.example"], ["ALLOW_PRIVATE_URLS", "true"]]);
    const v = YAML.parse(applyZarfVariables(readProjectFile("deploy/zarf/values.yaml"), mirrored)) as Record<string, unknown>;
    const c = podOf(one(render({ values: [v] }), "Deployment", "worker")).spec.containers[0];
    const env = new Map((c.env ?? []).map((e) => [e.name, e.value]));
    expect(env.has("COWABUNGA_OFFLINE")).toBe(false);
    expect(env.get("COWABUNGA_REGISTRY_NPM")).toBe("https://npm.enclave.example");
    expect(env.get("COWABUNGA_ALLOW_PRIVATE_URLS")).toBe("true");
    expect(env.has("COWABUNGA_REGISTRY_PYPI")).toBe(false);
  });

  it("adds a UDS Package exposing the serve Service through the gateway", () => {
    const p = one(docs, "Package");
    expect(p.apiVersion).toBe("uds.dev/v1alpha1");
    const service = one(docs, "Service");
    const expose = (p.spec.network as { expose: Array<{ service: string; port: number; targetPort: number; selector: Record<string, string> }> }).expose;
    expect(expose).toHaveLength(1);
    expect(expose[0].service).toBe(service.metadata.name);
    expect(expose[0].port).toBe((service.spec.ports as Array<{ port: number }>)[0].port);
    expect(expose[0].targetPort).toBe(3000);
    expect(expose[0].selector["app.kubernetes.io/component"]).toBe("serve");
  });

  it("mounts an OSV mirror claim read-only and names it in COWABUNGA_OSV_DB", () => {
    const withMirror = render({ values: [zarfValues, { osvMirror: { existingClaim: "osv-mirror" } }] });
    const spec = podOf(one(withMirror, "Deployment", "worker")).spec;
    expect(spec.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim).toEqual({ claimName: "osv-mirror", readOnly: true });
    const c = spec.containers[0];
    expect(c.env?.find((e) => e.name === "COWABUNGA_OSV_DB")?.value).toBe("/srv/osv");
    expect(c.volumeMounts).toContainEqual({ name: "osv", mountPath: "/srv/osv", readOnly: true });
  });

  it("an Ingress, when enabled, routes to the Service's http port", () => {
    const withIngress = render({ values: [{ ingress: { enabled: true, host: "cowabunga.example.org", tlsSecretName: "cowabunga-tls" } }] });
    const ing = one(withIngress, "Ingress");
    const rule = (ing.spec.rules as Array<{ host: string; http: { paths: Array<{ backend: { service: { name: string; port: { name: string } } } }> } }>)[0];
    expect(rule.host).toBe("cowabunga.example.org");
    expect(rule.http.paths[0].backend.service).toEqual({ name: one(withIngress, "Service").metadata.name, port: { name: "http" } });
  });

  it("a value Zarf does not declare is refused", () => {
    expect(() => applyZarfVariables("x: ###ZARF_VAR_NOT_DECLARED###", vars)).toThrow(/not declared/);
  });
});

describe("the renderer is strict where Helm would render silently wrong output", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "cowabunga-helm-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const chart = (name: string, template: string): string => {
    const dir = path.join(tmp, name);
    mkdirSync(path.join(dir, "templates"), { recursive: true });
    writeFileSync(path.join(dir, "Chart.yaml"), "apiVersion: v2\nname: t\nversion: 1.0.0\nappVersion: \"1.0.0\"\n");
    writeFileSync(path.join(dir, "values.yaml"), "a:\n  b: 1\nlist: [x, y]\n");
    writeFileSync(path.join(dir, "templates", "t.yaml"), template);
    return dir;
  };

  it("a missing value, an unknown function and an unclosed block name the file and line", () => {
    expect(() => renderChart(chart("missing", "x: 1\ny: {{ .Values.a.typo }}\n"))).toThrow(/t\.yaml:2: .*missing/);
    expect(() => renderChart(chart("func", "{{ .Values.a.b | sha256sum }}"))).toThrow(/function "sha256sum" is not supported/);
    expect(() => renderChart(chart("unclosed", "{{ if .Values.a }}\nx: 1\n"))).toThrow(TemplateError);
  });

  it("follows Go's trimming, map order and truthiness", () => {
    const dir = chart("go", "{{- range $k, $v := .Values.m }}\n{{ $k }}={{ $v }}\n{{- end }}\n{{ if .Values.list }}yes{{ else }}no{{ end }}{{/* c */}}|{{ if .Values.empty }}E{{ else }}e{{ end }}");
    const out = renderChart(dir, { values: [{ m: { z: 1, a: 2 }, empty: {} }] });
    expect(out.files.get("t.yaml")).toBe("\na=2\nz=1\nyes|e");
  });
});
