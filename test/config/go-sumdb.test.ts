/**
 * The Go checksum database setting: `registries.go_sumdb` (URL or off), its default from the Go mirror
 * (the GOPROXY sumdb-proxy protocol: `<proxy>/sumdb/sum.golang.org`), the operator's environment and CLI.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { enrichSettingsFromEnv, SharedEnrichment } from "../../src/app/enrichment.js";
import { parseRegistryOptions } from "../../src/cli/commands/scan.js";
import { CowabungaConfig, goSumdbOf, registryUrls } from "../../src/config/schema.js";

describe("registries.go_sumdb", () => {
  afterEach(() => nock.cleanAll());

  it("defaults to sum.golang.org, or to the Go mirror's sumdb proxy; an explicit URL or off wins", () => {
    expect(goSumdbOf({})).toBe("https://sum.golang.org");
    expect(goSumdbOf({ go: "https://goproxy.corp.example/go/" })).toBe("https://goproxy.corp.example/go/sumdb/sum.golang.org");
    expect(goSumdbOf({ go: "https://goproxy.corp.example", go_sumdb: "https://sumdb.corp.example/" })).toBe("https://sumdb.corp.example");
    expect(goSumdbOf({ go: "https://goproxy.corp.example", go_sumdb: "off" })).toBeNull();
  });

  it("the config accepts a URL or off for go_sumdb, and off nowhere else", () => {
    expect(CowabungaConfig.safeParse({ registries: { go_sumdb: "off" } }).success).toBe(true);
    expect(CowabungaConfig.safeParse({ registries: { go_sumdb: "https://sumdb.corp.example" } }).success).toBe(true);
    expect(CowabungaConfig.safeParse({ registries: { go_sumdb: "file:///etc/passwd" } }).success).toBe(false);
    const npmOff = CowabungaConfig.safeParse({ registries: { npm: "off" } });
    expect(npmOff.success).toBe(false);
    expect(npmOff.error?.issues.map((i) => i.path.join("."))).toEqual(["registries.npm"]);
    expect(registryUrls({ go: "https://goproxy.corp.example", go_sumdb: "off" })).toEqual(["https://goproxy.corp.example"]);
  });

  it("the operator sets it with COWABUNGA_REGISTRY_GO_SUMDB (off included), and the app's PR artefacts use it", () => {
    const s = enrichSettingsFromEnv({ COWABUNGA_REGISTRY_GO: "http://goproxy.enclave.local/", COWABUNGA_REGISTRY_GO_SUMDB: "off" });
    expect(s.registries).toEqual({ go: "http://goproxy.enclave.local", go_sumdb: "off" });
    expect(s.warnings).toEqual([]);
    // off is not an origin to trust, and does not break the shared client.
    const shared = new SharedEnrichment(s);
    expect(shared.lockArtefactAccess()).toEqual({ http: shared.http, registryMirrors: { go: "http://goproxy.enclave.local", go_sumdb: "off" } });
    expect(enrichSettingsFromEnv({ COWABUNGA_REGISTRY_NPM: "off" }).warnings).toEqual(["COWABUNGA_REGISTRY_NPM is not a valid URL; ignored"]);
  });

  it("the CLI takes --registry go_sumdb=URL or go_sumdb=off", async () => {
    expect(await parseRegistryOptions(["go=http://127.0.0.1:3000/go", "go_sumdb=off"])).toEqual({ go: "http://127.0.0.1:3000/go", go_sumdb: "off" });
    expect(await parseRegistryOptions(["go_sumdb=http://127.0.0.1:3000/sumdb/"])).toEqual({ go_sumdb: "http://127.0.0.1:3000/sumdb" });
    await expect(parseRegistryOptions(["npm=off"])).rejects.toThrow(/npm=off/);
  });

  it("a re-assessment plans with the operator's PyPI and Go mirrors, as a full scan's enrich does (not only npm)", async () => {
    const shared = new SharedEnrichment(enrichSettingsFromEnv({ COWABUNGA_REGISTRY_PYPI: "http://pypi.enclave.local", COWABUNGA_REGISTRY_GO: "http://goproxy.enclave.local" }));
    const { requirementSource } = await shared.reassessSources(null);
    // The repository's own registries come second: the operator's mirrors win.
    const source = requirementSource!({ pypi: "https://pypi.elsewhere.example" });
    const pypi = nock("http://pypi.enclave.local")
      .get("/pypi/requests/json")
      .reply(200, { info: { name: "requests" }, releases: { "2.31.0": [{ filename: "a.whl" }], "2.32.0": [{ filename: "b.whl" }] } });
    const go = nock("http://goproxy.enclave.local").get("/golang.org/x/net/@v/list").reply(200, "v0.23.0\nv0.24.0\n");
    expect(await source.versions!("pypi", "requests")).toEqual(["2.31.0", "2.32.0"]);
    expect(await source.versions!("go", "golang.org/x/net")).toEqual(["v0.23.0", "v0.24.0"]);
    expect(pypi.isDone() && go.isDone()).toBe(true);
  });
});
