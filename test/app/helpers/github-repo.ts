/**
 * A small repository served by nock the way GitHub serves it: the head commit, one recursive tree,
 * and batched GraphQL blob reads answered from the files given.
 */
import type nock from "nock";

export interface FakeRepo {
  owner: string;
  repo: string;
  sha: string;
  treeSha: string;
  files: Record<string, string>;
}

/** GET /repos/{o}/{r}/commits/{ref} → the head. */
export function serveHead(scope: nock.Scope, r: FakeRepo, ref = "HEAD"): nock.Scope {
  return scope.get(`/repos/${r.owner}/${r.repo}/commits/${ref}`).reply(200, { sha: r.sha, commit: { tree: { sha: r.treeSha } } });
}

/** The recursive tree and as many GraphQL batches as `batches`. */
export function serveContents(scope: nock.Scope, r: FakeRepo, batches = 1): nock.Scope {
  scope.get(`/repos/${r.owner}/${r.repo}/git/trees/${r.sha}`).query({ recursive: "1" }).reply(200, {
    sha: r.treeSha,
    truncated: false,
    tree: Object.entries(r.files).map(([path, text], i) => ({ path, mode: "100644", type: "blob", sha: `blob${i}`, size: Buffer.byteLength(text) })),
  });
  for (let b = 0; b < batches; b++) {
    scope.post("/graphql").reply(200, (_uri, body) => {
      const vars = (body as { variables: Record<string, string> }).variables;
      const repository: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(vars)) {
        if (!/^e\d+$/.test(k)) continue;
        const path = v.slice(v.indexOf(":") + 1);
        const text = r.files[path];
        repository[`f${k.slice(1)}`] = text === undefined ? null : { text, byteSize: Buffer.byteLength(text), isBinary: false, isTruncated: false };
      }
      return { data: { repository } };
    });
  }
  return scope;
}

/** The app's issue listing (one page). */
export function serveIssueListing(scope: nock.Scope, r: Pick<FakeRepo, "owner" | "repo">, issues: unknown[]): nock.Scope {
  return scope.get(`/repos/${r.owner}/${r.repo}/issues`).query({ labels: "cowabunga", state: "all", per_page: "100" }).reply(200, issues);
}
