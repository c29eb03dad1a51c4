import { createHash } from "node:crypto";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { detectPin, resolveNewDigest, shortDigest, type DigestSource } from "../../../src/act/github/digests.js";
import { createDockerDatasource, MANIFEST_ACCEPT, parseImageName } from "../../../src/enrich/datasources/docker.js";
import { createHttpClient } from "../../../src/enrich/http.js";
import { makeOctokit } from "./pulls-helpers.js";

const API = "https://api.github.com";
const OLD_SHA = "d632683dd7b4114ad314bca15554477dd762a938";
const NEW_SHA = "11bd71901bbe5b1630ceea73d27597364c9af683";
const TAG_OBJ = "5".repeat(40);
const OLD_DIGEST = `sha256:${"1".repeat(64)}`;
const NEW_DIGEST = `sha256:${"ab".repeat(32)}`;
const CHALLENGE = 'Bearer realm="https://auth.example.test/token",service="registry.example.test",scope="repository:acme/app:pull"';

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

const action = (over: Partial<{ current_value: string; line: number | null; file: string; digest: string | null; name: string }> = {}) => ({
  name: "actions/checkout",
  package_manager: "github-actions",
  current_value: "v4.1.6",
  line: 3,
  file: ".github/workflows/ci.yml",
  ...over,
});

const dockerClient = () => createDockerDatasource({ http: createHttpClient({ urlGuard: null, retries: 0 }) });

describe("detectPin", () => {
  it("reads a SHA pin from the action's own line, whatever the scan said", () => {
    const wf = `jobs:\n  b:\n    steps:\n      - uses: actions/checkout@${OLD_SHA} # v4.1.6\n      - uses: actions/setup-node@v4\n`;
    expect(detectPin(action({ line: 4 }), wf)).toEqual({ kind: "commit", current: OLD_SHA });
    // Another action on that line: not this dependency's pin.
    expect(detectPin(action({ name: "actions/setup-node", line: 4 }), wf)).toBeNull();
    expect(detectPin(action({ name: "actions/setup-node", line: 5, current_value: "v4" }), wf)).toBeNull();
    // Without the file text, the scan's digest or a SHA current_value still tell.
    expect(detectPin(action({ digest: OLD_SHA.toUpperCase() }), null)).toEqual({ kind: "commit", current: OLD_SHA });
    expect(detectPin(action({ current_value: OLD_SHA }), null)).toEqual({ kind: "commit", current: OLD_SHA });
    expect(detectPin(action(), null)).toBeNull();
    // The file wins over a stale scan digest: this line is not pinned any more.
    expect(detectPin(action({ name: "actions/setup-node", line: 5, digest: OLD_SHA }), wf)).toBeNull();
    // No line from the scan: the one line pinning this action.
    expect(detectPin(action({ line: null }), wf)).toEqual({ kind: "commit", current: OLD_SHA });
    expect(detectPin(action({ line: null }), `${wf}      - uses: actions/checkout@${"e".repeat(40)}\n`)).toBeNull();
  });

  it("finds image digests on the line and helm values digest keys beside the repository", () => {
    const dockerfile = `FROM python:3.12-slim@${OLD_DIGEST} AS base\nFROM node:20\n`;
    const img = { name: "python", package_manager: "docker", current_value: "3.12-slim", file: "Dockerfile" };
    expect(detectPin({ ...img, line: 1 }, dockerfile)).toEqual({ kind: "image", current: OLD_DIGEST });
    expect(detectPin({ ...img, name: "node", line: 2 }, dockerfile)).toBeNull();

    const values = [
      "images:",
      "  - repository: acme/app",
      "    tag: 1.2.0",
      `    digest: "${OLD_DIGEST}"`,
      "  - repository: acme/other",
      "    tag: 2.0.0",
      "api:",
      "  image:",
      `    digest: ${NEW_DIGEST}`,
      "    repository: acme/api",
      "    tag: 3.0.0",
      "",
    ].join("\n");
    const hv = { package_manager: "helm", current_value: "", file: "chart/values.yaml" };
    expect(detectPin({ ...hv, name: "acme/app", line: 2 }, values)).toEqual({ kind: "image", current: OLD_DIGEST });
    // The next list item is another map: its missing digest is not borrowed from the first.
    expect(detectPin({ ...hv, name: "acme/other", line: 5 }, values)).toBeNull();
    // A digest key before the repository line counts too.
    expect(detectPin({ ...hv, name: "acme/api", line: 10 }, values)).toEqual({ kind: "image", current: NEW_DIGEST });
  });

  it("shortens SHAs and digests for PR bodies", () => {
    expect(shortDigest(NEW_SHA)).toBe("11bd719");
    expect(shortDigest(NEW_DIGEST)).toBe("sha256:abababababab");
  });
});

describe("resolveNewDigest: actions", () => {
  it("takes a lightweight tag's commit from git/ref/tags", async () => {
    const scope = nock(API).get("/repos/actions/checkout/git/ref/tags%2Fv4.2.2").reply(200, { ref: "refs/tags/v4.2.2", object: { type: "commit", sha: NEW_SHA } });
    const r = await resolveNewDigest(action({ digest: OLD_SHA }), "v4.2.2", { octokit: makeOctokit() });
    scope.done();
    expect(r).toMatchObject({ kind: "commit", digest: NEW_SHA, from: OLD_SHA });
  });

  it("dereferences an annotated tag to its commit", async () => {
    const scope = nock(API)
      .get("/repos/actions/checkout/git/ref/tags%2Fv4.2.2")
      .reply(200, { ref: "refs/tags/v4.2.2", object: { type: "tag", sha: TAG_OBJ } })
      .get(`/repos/actions/checkout/git/tags/${TAG_OBJ}`)
      .reply(200, { sha: TAG_OBJ, tag: "v4.2.2", object: { type: "commit", sha: NEW_SHA } });
    const r = await resolveNewDigest(action({ digest: OLD_SHA }), "v4.2.2", { octokit: makeOctokit() });
    scope.done();
    expect(r).toMatchObject({ kind: "commit", digest: NEW_SHA });
    if ("request" in r) expect(r.request).toContain(`git/tags/${TAG_OBJ}`);
  });

  it("tries the v-prefixed tag when the bare version is not a tag", async () => {
    const scope = nock(API)
      .get("/repos/actions/checkout/git/ref/tags%2F4.2.2")
      .reply(404, { message: "Not Found" })
      .get("/repos/actions/checkout/git/ref/tags%2Fv4.2.2")
      .reply(200, { object: { type: "commit", sha: NEW_SHA } });
    const r = await resolveNewDigest(action({ digest: OLD_SHA }), "4.2.2", { octokit: makeOctokit() });
    scope.done();
    expect(r).toMatchObject({ kind: "commit", digest: NEW_SHA });
  });

  it("fails with a message naming the request when the tag is unknown", async () => {
    const scope = nock(API).get("/repos/actions/checkout/git/ref/tags%2Fv9.9.9").reply(404, { message: "Not Found" });
    const r = await resolveNewDigest(action({ digest: OLD_SHA }), "v9.9.9", { octokit: makeOctokit() });
    scope.done();
    expect(r).toEqual({ error: expect.stringContaining("GET /repos/actions/checkout/git/ref/tags/v9.9.9: tag not found") });
    expect((r as { error: string }).error).toContain(".github/workflows/ci.yml:3: actions/checkout");
  });

  it("names the request of a failed annotated-tag lookup", async () => {
    const scope = nock(API)
      .get("/repos/actions/checkout/git/ref/tags%2Fv4.2.2")
      .reply(200, { object: { type: "tag", sha: TAG_OBJ } })
      .get(`/repos/actions/checkout/git/tags/${TAG_OBJ}`)
      .reply(500, { message: "boom" });
    const r = await resolveNewDigest(action({ digest: OLD_SHA }), "v4.2.2", { octokit: makeOctokit() });
    scope.done();
    expect((r as { error: string }).error).toMatch(new RegExp(`GET /repos/actions/checkout/git/tags/${TAG_OBJ}: .*\\(HTTP 500\\)`));
  });

  it("looks nothing up when the declaration is not pinned or the target is itself a SHA", async () => {
    expect(await resolveNewDigest(action(), "v4.2.2", { octokit: makeOctokit() })).toEqual({ kind: "none" });
    expect(await resolveNewDigest(action({ digest: OLD_SHA }), NEW_SHA, { octokit: makeOctokit() })).toEqual({ kind: "none" });
    expect(await resolveNewDigest(action({ digest: OLD_SHA }), "v4.2.2", {})).toEqual({ error: expect.stringContaining("no GitHub client") });
  });
});

describe("docker digestOf and image pins", () => {
  const REG = "https://registry.example.test";
  const ref = parseImageName("registry.example.test/acme/app", null);

  it("HEADs the manifest with index + manifest media types, through the anonymous token flow", async () => {
    const acceptSeen: string[] = [];
    const reg = nock(REG)
      .head("/v2/acme/app/manifests/1.3.0")
      .reply(401, "", { "www-authenticate": CHALLENGE })
      .head("/v2/acme/app/manifests/1.3.0")
      .matchHeader("authorization", "Bearer tok-1")
      .reply(function () {
        acceptSeen.push(String(this.req.headers.accept));
        return [200, "", { "docker-content-digest": NEW_DIGEST }];
      });
    const auth = nock("https://auth.example.test").get("/token").query({ service: "registry.example.test", scope: "repository:acme/app:pull" }).reply(200, { token: "tok-1", expires_in: 300 });
    const digest = await dockerClient().digestOf(ref, "1.3.0");
    reg.done();
    auth.done();
    expect(digest).toBe(NEW_DIGEST);
    expect(acceptSeen[0]).toBe(MANIFEST_ACCEPT);
    for (const t of ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json"]) {
      expect(acceptSeen[0]).toContain(t);
    }
  });

  it("falls back to GET when HEAD is refused and hashes the manifest when no digest header comes", async () => {
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] });
    const reg = nock(REG).head("/v2/acme/app/manifests/1.3.0").reply(405).get("/v2/acme/app/manifests/1.3.0").reply(200, manifest);
    const digest = await dockerClient().digestOf(ref, "1.3.0");
    reg.done();
    expect(digest).toBe(`sha256:${createHash("sha256").update(manifest).digest("hex")}`);
  });

  it("resolves the digest of a digest-pinned image's new tag; an unknown tag fails naming the request", async () => {
    const dep = { name: "registry.example.test/acme/app", package_manager: "docker", current_value: "1.2.0", line: 1, file: "Dockerfile", digest: OLD_DIGEST };
    const ok = nock(REG).head("/v2/acme/app/manifests/1.3.0").reply(200, "", { "docker-content-digest": NEW_DIGEST });
    expect(await resolveNewDigest(dep, "1.3.0", { docker: dockerClient() })).toMatchObject({ kind: "image", digest: NEW_DIGEST, from: OLD_DIGEST });
    ok.done();

    const missing = nock(REG).head("/v2/acme/app/manifests/9.9.9").reply(404);
    const r = await resolveNewDigest(dep, "9.9.9", { docker: dockerClient() });
    missing.done();
    expect((r as { error: string }).error).toContain("Dockerfile:1: registry.example.test/acme/app: could not resolve the digest of 9.9.9: HEAD https://registry.example.test/v2/acme/app/manifests/9.9.9: tag 9.9.9");
  });

  it("refuses a registry answer that is not a sha256 digest", async () => {
    const fake: DigestSource = { digestOf: async () => "md5:abc" };
    const r = await resolveNewDigest({ name: "nginx", package_manager: "docker", current_value: "1.25", line: null, digest: OLD_DIGEST }, "1.27", { docker: fake });
    expect((r as { error: string }).error).toMatch(/invalid digest "md5:abc"/);
  });
});
