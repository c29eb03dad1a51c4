/**
 * The Store contract (src/store/types.ts), run against every implementation: file-store.conformance.test.ts
 * and pg-store.conformance.test.ts call defineStoreConformance with a harness each.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SystemHealth } from "../../src/model/index.js";
import { StoreValidationError, UnsafeNameError, type RepoRef, type Store } from "../../src/store/index.js";
import { makeComponentHealth, makeDependency, makeIssue, makeRecord, makeSystemHealth } from "../helpers/factories.js";

export interface StoreHarness {
  /** Once per file (create the database). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** Before each test: an empty store's backing data (fresh directory, truncated tables). */
  reset(): Promise<void>;
  /** A store instance on the current data; several instances stand for several processes. */
  open(opts?: { now?: () => Date }): Promise<Store>;
  /** Release every instance opened since the last reset. */
  closeAll(): Promise<void>;
  /** Make the stored issue `id` of repo fail its schema, behind the store's back. */
  corruptIssue(repo: RepoRef, id: string): Promise<void>;
  /** Make the stored system health fail its schema. */
  corruptSystemHealth(repo: RepoRef): Promise<void>;
}

const DAY = 86_400_000;
const NOW = new Date("2026-06-01T00:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const repo = { owner: "acme", repo: "app" };

export function defineStoreConformance(name: string, available: boolean, harness: StoreHarness): void {
  describe.skipIf(!available)(`Store conformance: ${name}`, () => {
    beforeAll(async () => harness.setup?.());
    afterAll(async () => harness.teardown?.());
    beforeEach(async () => harness.reset());
    afterEach(async () => harness.closeAll());

    describe("round trips", () => {
      it("reads back every entity written, and empty values for a repository never written", async () => {
        const store = await harness.open({ now: () => NOW });
        expect(await store.getSystemHealth(repo)).toBeNull();
        expect(await store.getIssues(repo)).toEqual([]);
        expect(await store.getDependencies(repo)).toEqual([]);
        expect(await store.getDependencyHistory(repo)).toEqual([]);
        expect(await store.getRecords(repo)).toEqual([]);
        expect(await store.getComponentHealth(repo, "api")).toBeNull();
        expect(await store.listComponentHealth(repo)).toEqual([]);
        expect(await store.getHealthHistory(repo)).toEqual([]);
        expect(await store.getScanState(repo)).toBeNull();
        expect(await store.getPending(repo)).toEqual([]);
        expect(await store.listRepos()).toEqual([]);

        const health = makeSystemHealth({ timestamp: NOW.toISOString() });
        await store.putSystemHealth(repo, health);
        expect(await store.updateIssues(repo, () => [makeIssue({ id: "b" }), makeIssue({ id: "a" })])).toHaveLength(2);
        await store.putDependencies(repo, [makeDependency({ name: "zod" }), makeDependency({ name: "axios" })], { head_sha: "abc" });
        await store.updateRecords(repo, (r) => [...r, makeRecord()]);
        await store.putComponentHealth(repo, makeComponentHealth({ name: "ui" }));
        await store.putComponentHealth(repo, makeComponentHealth({ name: "api" }));
        await store.putScanState(repo, { tree_sha: "t1", head_sha: "h1", custom: { nested: [1, "two", null] } });
        await store.updatePending(repo, (p) => [...p, { id: "n1", created_at: NOW.toISOString(), channel: "slack" }]);
        expect(await store.appendHealthHistory(repo, health)).toEqual([health]);

        expect(await store.getSystemHealth(repo)).toEqual(health);
        // Lists keep the order they were written in.
        expect((await store.getIssues(repo)).map((i) => i.id)).toEqual(["b", "a"]);
        expect(await store.getIssues(repo)).toEqual([makeIssue({ id: "b" }), makeIssue({ id: "a" })]);
        expect((await store.getDependencies(repo)).map((d) => d.name)).toEqual(["zod", "axios"]);
        expect(await store.getDependencies(repo)).toEqual([makeDependency({ name: "zod" }), makeDependency({ name: "axios" })]);
        const history = await store.getDependencyHistory(repo);
        expect(history).toHaveLength(1);
        expect(history[0]).toMatchObject({ head_sha: "abc", scanned_at: NOW.toISOString() });
        expect(history[0]!.dependencies.map((d) => d.name)).toEqual(["zod", "axios"]);
        expect(await store.getRecords(repo)).toEqual([makeRecord()]);
        expect(await store.getComponentHealth(repo, "api")).toEqual(makeComponentHealth({ name: "api" }));
        expect((await store.listComponentHealth(repo)).map((c) => c.name)).toEqual(["api", "ui"]);
        expect(await store.getScanState(repo)).toEqual({ tree_sha: "t1", head_sha: "h1", custom: { nested: [1, "two", null] } });
        expect(await store.getPending(repo)).toEqual([{ id: "n1", created_at: NOW.toISOString(), channel: "slack" }]);
        expect(await store.getHealthHistory(repo)).toEqual([health]);
        expect(await store.listRepos()).toEqual([repo]);
        expect(store.takeWarnings()).toEqual([]);
      });

      it("a second instance (another process) sees the first one's writes", async () => {
        const a = await harness.open();
        const b = await harness.open();
        await a.updateIssues(repo, () => [makeIssue({ id: "x" })]);
        await a.putScanState(repo, { head_sha: "h" });
        expect((await b.getIssues(repo)).map((i) => i.id)).toEqual(["x"]);
        expect(await b.getScanState(repo)).toEqual({ head_sha: "h" });
      });

      it("put* replace, update* see the current value and replace it with what they return", async () => {
        const store = await harness.open();
        await store.putSystemHealth(repo, makeSystemHealth({ version: "1" }));
        await store.putSystemHealth(repo, makeSystemHealth({ version: "2" }));
        expect((await store.getSystemHealth(repo))?.version).toBe("2");
        await store.putScanState(repo, { head_sha: "1", extra: true });
        await store.putScanState(repo, { head_sha: "2" });
        expect(await store.getScanState(repo)).toEqual({ head_sha: "2" });

        await store.updateIssues(repo, () => [makeIssue({ id: "a" }), makeIssue({ id: "b" }), makeIssue({ id: "c" })]);
        const seen: string[][] = [];
        const out = await store.updateIssues(repo, (cur) => {
          seen.push(cur.map((i) => i.id));
          return [makeIssue({ id: "c", title: "changed" }), makeIssue({ id: "d" }), cur[0]!];
        });
        expect(seen).toEqual([["a", "b", "c"]]);
        expect(out.map((i) => i.id)).toEqual(["c", "d", "a"]);
        expect((await store.getIssues(repo)).map((i) => [i.id, i.title])).toEqual([
          ["c", "changed"],
          ["d", makeIssue().title],
          ["a", makeIssue().title],
        ]);
        expect(await store.updateIssues(repo, () => [])).toEqual([]);
        expect(await store.getIssues(repo)).toEqual([]);

        await store.updatePending(repo, () => [{ id: "p1", created_at: NOW.toISOString() }]);
        expect(await store.updatePending(repo, (p) => p.filter((x) => x.id !== "p1"))).toEqual([]);
        expect(await store.getPending(repo)).toEqual([]);

        await store.putDependencies(repo, [makeDependency({ name: "a" }), makeDependency({ name: "b" })]);
        await store.putDependencies(repo, [makeDependency({ name: "b" })]);
        expect((await store.getDependencies(repo)).map((d) => d.name)).toEqual(["b"]);
        expect((await store.getDependencyHistory(repo)).map((s) => s.dependencies.length)).toEqual([2, 1]);
        await store.putDependencies(repo, []);
        expect(await store.getDependencies(repo)).toEqual([]);
      });

      it("fills zod defaults on write, so reads return complete entities", async () => {
        const store = await harness.open();
        const partial = { ...makeIssue({ id: "d" }) } as Partial<ReturnType<typeof makeIssue>>;
        delete partial.lifecycle_state;
        delete partial.history;
        const [written] = await store.updateIssues(repo, () => [partial as ReturnType<typeof makeIssue>]);
        expect(written).toMatchObject({ lifecycle_state: "detected", history: [] });
        expect((await store.getIssues(repo))[0]).toMatchObject({ lifecycle_state: "detected", history: [] });
      });

      it("keeps remediation deadlines, risk acceptances and the overdue-alert mark (issue 15); old issues read with null", async () => {
        const store = await harness.open();
        const deadline = makeIssue({
          id: "due",
          status: "deferred",
          lifecycle_state: "deferred",
          due_at: "2026-07-01T00:00:00.000Z",
          overdue_alerted_for: "2026-07-01T00:00:00.000Z",
          risk_acceptance: { accepted_by: "alice", reason: "vendor fix pending", until: "2026-08-31", accepted_at: "2026-06-01T00:00:00.000Z" },
        });
        const legacy = { ...makeIssue({ id: "old" }) } as Partial<ReturnType<typeof makeIssue>>;
        delete legacy.due_at;
        delete legacy.risk_acceptance;
        delete legacy.overdue_alerted_for;
        await store.updateIssues(repo, () => [deadline, legacy as ReturnType<typeof makeIssue>]);
        const read = await store.getIssues(repo);
        expect(read[0]).toEqual(deadline);
        expect(read[1]).toMatchObject({ id: "old", due_at: null, risk_acceptance: null, overdue_alerted_for: null });
        await expect(store.updateIssues(repo, () => [{ ...deadline, risk_acceptance: { ...deadline.risk_acceptance!, until: "next week" } }])).rejects.toThrow(/until/);
      });

      it("deletes a component's health and keeps component names apart", async () => {
        const store = await harness.open();
        for (const name of ["src/api", "src_api", "../escape", "..", "ä"]) await store.putComponentHealth(repo, makeComponentHealth({ name }));
        expect((await store.listComponentHealth(repo)).map((c) => c.name).sort()).toEqual(["..", "../escape", "src/api", "src_api", "ä"].sort());
        expect((await store.getComponentHealth(repo, "../escape"))?.name).toBe("../escape");
        await store.deleteComponentHealth(repo, "src/api");
        await store.deleteComponentHealth(repo, "never-existed");
        expect(await store.getComponentHealth(repo, "src/api")).toBeNull();
        expect((await store.getComponentHealth(repo, "src_api"))?.name).toBe("src_api");
        expect(await store.listComponentHealth(repo)).toHaveLength(4);
      });

      it("health history is kept in timestamp order", async () => {
        const store = await harness.open({ now: () => NOW });
        await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: ago(DAY) }));
        await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: ago(3 * DAY) }));
        const all = await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: ago(2 * DAY) }));
        const ages = all.map((h) => (NOW.getTime() - Date.parse(h.timestamp)) / DAY);
        expect(ages).toEqual([3, 2, 1]);
        expect(await store.getHealthHistory(repo)).toEqual(all);
      });
    });

    describe("repository names", () => {
      it("folds case: listRepos is lower case and a repository is one whatever its spelling", async () => {
        const store = await harness.open();
        await store.putScanState({ owner: "Defense-Unicorns", repo: "LeapfrogAI.v2_x" }, { head_sha: "a" });
        await store.updateIssues({ owner: "defense-unicorns", repo: "LEAPFROGAI.V2_X" }, () => [makeIssue()]);
        expect(await store.getScanState({ owner: "DEFENSE-UNICORNS", repo: "leapfrogai.v2_X" })).toEqual({ head_sha: "a" });
        expect(await store.getIssues({ owner: "Defense-Unicorns", repo: "leapfrogai.v2_x" })).toHaveLength(1);
        await store.putScanState({ owner: "Acme", repo: "B" }, {});
        await store.putScanState({ owner: "acme", repo: "a" }, {});
        expect(await store.listRepos()).toEqual([
          { owner: "acme", repo: "a" },
          { owner: "acme", repo: "b" },
          { owner: "defense-unicorns", repo: "leapfrogai.v2_x" },
        ]);
      });

      it.each([
        { owner: "..", repo: "x" },
        { owner: "acme", repo: ".." },
        { owner: "a/b", repo: "app" },
        { owner: "acme", repo: "a/b" },
        { owner: "acme", repo: "" },
        { owner: "-acme", repo: "app" },
        { owner: "acme", repo: "x\0y" },
      ])("refuses $owner / $repo for reads and writes", async (ref) => {
        const store = await harness.open();
        await expect(store.getIssues(ref)).rejects.toThrow(UnsafeNameError);
        await expect(store.updateIssues(ref, () => [])).rejects.toThrow(/refusing repository/);
        await expect(store.putScanState(ref, {})).rejects.toThrow(UnsafeNameError);
        expect(await store.listRepos()).toEqual([]);
      });
    });

    describe("validation on write", () => {
      it("refuses an invalid entity, naming the field, and keeps the old value", async () => {
        const store = await harness.open();
        await store.putSystemHealth(repo, makeSystemHealth());
        const bad = { ...makeSystemHealth(), overall_status: "fine" } as unknown as SystemHealth;
        await expect(store.putSystemHealth(repo, bad)).rejects.toThrow(StoreValidationError);
        await expect(store.putSystemHealth(repo, bad)).rejects.toThrow(/overall_status/);
        expect(await store.getSystemHealth(repo)).toEqual(makeSystemHealth());
      });

      it("replaceComponentHealth puts the given components and deletes the others; an invalid one writes nothing", async () => {
        const store = await harness.open();
        await store.putComponentHealth(repo, makeComponentHealth({ name: "gone" }));
        await store.putComponentHealth(repo, makeComponentHealth({ name: "api", health_score: 0.2 }));
        await store.replaceComponentHealth(repo, [makeComponentHealth({ name: "api", health_score: 0.9 }), makeComponentHealth({ name: "src/ui" })]);
        expect((await store.listComponentHealth(repo)).map((c) => [c.name, c.health_score])).toEqual([
          ["api", 0.9],
          ["src/ui", makeComponentHealth().health_score],
        ]);
        await expect(store.replaceComponentHealth(repo, [makeComponentHealth({ name: "new" }), { ...makeComponentHealth({ name: "bad" }), health_score: 7 }])).rejects.toThrow(/health_score/);
        expect((await store.listComponentHealth(repo)).map((c) => c.name)).toEqual(["api", "src/ui"]);
        await store.replaceComponentHealth(repo, []);
        expect(await store.listComponentHealth(repo)).toEqual([]);
        // Another repository's components are not touched.
        const other = { owner: "acme", repo: "other" };
        await store.putComponentHealth(other, makeComponentHealth({ name: "api" }));
        await store.replaceComponentHealth(repo, [makeComponentHealth({ name: "x" })]);
        expect((await store.listComponentHealth(other)).map((c) => c.name)).toEqual(["api"]);
      });

      it("an updater returning an invalid list writes nothing", async () => {
        const store = await harness.open();
        await store.updateIssues(repo, () => [makeIssue({ id: "keep" })]);
        await expect(store.updateIssues(repo, (cur) => [...cur, { ...makeIssue({ id: "bad" }), severity: "apocalyptic" } as never])).rejects.toThrow(/severity/);
        await expect(store.updateRecords(repo, () => [{ id: "" } as never])).rejects.toThrow(StoreValidationError);
        await expect(store.updatePending(repo, () => [{ id: "p", created_at: "yesterday" }])).rejects.toThrow(/created_at/);
        await expect(store.putDependencies(repo, [{ ...makeDependency(), name: "" }])).rejects.toThrow(StoreValidationError);
        await expect(store.putComponentHealth(repo, { ...makeComponentHealth(), health_score: 7 })).rejects.toThrow(/health_score/);
        await expect(store.appendHealthHistory(repo, { ...makeSystemHealth(), timestamp: "now" })).rejects.toThrow(/timestamp/);
        await expect(store.putScanState(repo, { head_sha: 42 } as never)).rejects.toThrow(/head_sha/);
        expect((await store.getIssues(repo)).map((i) => i.id)).toEqual(["keep"]);
        expect(await store.getRecords(repo)).toEqual([]);
        expect(await store.getPending(repo)).toEqual([]);
        expect(await store.getDependencies(repo)).toEqual([]);
        expect(await store.getDependencyHistory(repo)).toEqual([]);
        expect(await store.getHealthHistory(repo)).toEqual([]);
      });

      it("an updater that throws writes nothing and releases the repository", async () => {
        const store = await harness.open();
        await store.updateRecords(repo, () => [makeRecord({ id: "a" })]);
        await expect(store.updateRecords(repo, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
        expect(await store.updateRecords(repo, (r) => [...r, makeRecord({ id: "b" })])).toHaveLength(2);
      });
    });

    describe("validation on read", () => {
      it("an invalid stored issue is reported and left out; the read does not throw and writes go on", async () => {
        const store = await harness.open();
        await store.updateIssues(repo, () => [makeIssue({ id: "good" }), makeIssue({ id: "bad" })]);
        await harness.corruptIssue(repo, "bad");
        const read = await store.getIssues(repo);
        expect(read.map((i) => i.id)).not.toContain("bad");
        const warnings = store.takeWarnings();
        expect(warnings.length).toBeGreaterThanOrEqual(1);
        expect(warnings[0]).toMatchObject({ repo: "acme/app" });
        expect(warnings[0]!.message).toMatch(/schema/);
        expect(store.takeWarnings()).toEqual([]);
        const after = await store.updateIssues(repo, (cur) => [...cur, makeIssue({ id: "new" })]);
        expect(after.map((i) => i.id)).toContain("new");
        expect((await store.getIssues(repo)).map((i) => i.id)).toContain("new");
        expect(store.takeWarnings()).toEqual([]);
      });

      it("an invalid stored system health reads as null with a warning", async () => {
        const store = await harness.open();
        await store.putSystemHealth(repo, makeSystemHealth());
        await harness.corruptSystemHealth(repo);
        expect(await store.getSystemHealth(repo)).toBeNull();
        expect(store.takeWarnings()).toHaveLength(1);
        await store.putSystemHealth(repo, makeSystemHealth({ version: "3" }));
        expect((await store.getSystemHealth(repo))?.version).toBe("3");
      });
    });

    describe("retention", () => {
      // Each snapshot differs from the one before (an unchanged one is not stored: see "history growth").
      let healthN = 0;
      const healthAt = (ms: number) => makeSystemHealth({ timestamp: ago(ms), metrics: { ...makeSystemHealth().metrics, security_issues: healthN++ } });

      it("health history: 30 days rolling by default, boundary exact", async () => {
        const store = await harness.open({ now: () => NOW });
        for (const age of [30 * DAY + 1, 30 * DAY, 29 * DAY, 0]) await store.appendHealthHistory(repo, healthAt(age));
        const kept = (await store.getHealthHistory(repo)).map((h) => NOW.getTime() - Date.parse(h.timestamp));
        expect(kept).toEqual([30 * DAY, 29 * DAY, 0]);
      });

      it("health history follows the repository's configured retention", async () => {
        const store = await harness.open({ now: () => NOW });
        store.setRetention(repo, { health_days: 7 });
        await store.appendHealthHistory(repo, healthAt(7 * DAY + 1));
        expect(await store.appendHealthHistory(repo, healthAt(7 * DAY))).toHaveLength(1);
        expect(await store.getHealthHistory(repo)).toHaveLength(1);
      });

      it("issues: resolved/deferred dropped a year after their last activity, open ones never", async () => {
        const store = await harness.open({ now: () => NOW });
        const Y = 365 * DAY;
        const issues = [
          makeIssue({ id: "open-old", status: "open", updated_at: ago(5 * Y) }),
          makeIssue({ id: "progress-old", status: "in_progress", lifecycle_state: "in_progress", updated_at: ago(5 * Y) }),
          makeIssue({ id: "resolved-edge", status: "resolved", lifecycle_state: "resolved", updated_at: ago(Y), resolved_at: ago(Y) }),
          makeIssue({ id: "resolved-old", status: "resolved", lifecycle_state: "resolved", updated_at: ago(Y + 1), resolved_at: ago(Y + 1) }),
          makeIssue({ id: "resolved-late", status: "resolved", lifecycle_state: "resolved", updated_at: ago(2 * Y), resolved_at: ago(DAY) }),
          makeIssue({ id: "deferred-old", status: "deferred", lifecycle_state: "deferred", updated_at: ago(Y + 1) }),
          makeIssue({ id: "deferred-touched", status: "deferred", lifecycle_state: "deferred", updated_at: ago(Y - 1) }),
        ];
        const kept = await store.updateIssues(repo, () => issues);
        expect(kept.map((i) => i.id)).toEqual(["open-old", "progress-old", "resolved-edge", "resolved-late", "deferred-touched"]);
        expect((await store.getIssues(repo)).map((i) => i.id)).toEqual(kept.map((i) => i.id));
      });

      it("maintenance records are permanent by default, pruned only when records_days is set", async () => {
        const store = await harness.open({ now: () => NOW });
        expect(await store.updateRecords(repo, () => [makeRecord({ id: "ancient", performed_at: ago(20 * 365 * DAY) })])).toHaveLength(1);
        store.setRetention(repo, { records_days: 10 });
        const kept = await store.updateRecords(repo, (r) => [...r, makeRecord({ id: "edge", performed_at: ago(10 * DAY) })]);
        expect(kept.map((r) => r.id)).toEqual(["edge"]);
        expect((await store.getRecords(repo)).map((r) => r.id)).toEqual(["edge"]);
      });

      it("dependency history: 6 months (182 days), one snapshot per putDependencies", async () => {
        let now = new Date(NOW.getTime() - 182 * DAY - 1);
        const store = await harness.open({ now: () => now });
        await store.putDependencies(repo, [makeDependency({ version: "1.0.0" })]);
        now = new Date(NOW.getTime() - 182 * DAY);
        await store.putDependencies(repo, [makeDependency({ version: "1.1.0" })]);
        now = NOW;
        await store.putDependencies(repo, [makeDependency({ version: "2.0.0" })], { head_sha: "cafe" });
        const h = await store.getDependencyHistory(repo);
        expect(h.map((s) => s.dependencies[0]!.version)).toEqual(["1.1.0", "2.0.0"]);
        expect(h[1]).toMatchObject({ head_sha: "cafe", scanned_at: NOW.toISOString() });
        expect((await store.getDependencies(repo))[0]!.version).toBe("2.0.0");
      });

      it("one year of issue history and 6 months of dependency history are configurable too", async () => {
        const store = await harness.open({ now: () => NOW });
        store.setRetention(repo, { issue_history_days: 30, dependency_history_days: 1 });
        const kept = await store.updateIssues(repo, () => [
          makeIssue({ id: "r31", status: "resolved", updated_at: ago(31 * DAY), resolved_at: ago(31 * DAY) }),
          makeIssue({ id: "r29", status: "resolved", updated_at: ago(29 * DAY), resolved_at: ago(29 * DAY) }),
        ]);
        expect(kept.map((i) => i.id)).toEqual(["r29"]);
        await store.putDependencies(repo, [makeDependency({ version: "1.0.0" })], { scanned_at: ago(2 * DAY) });
        await store.putDependencies(repo, [makeDependency({ version: "1.0.1" })], { scanned_at: ago(0) });
        expect((await store.getDependencyHistory(repo)).map((h) => h.dependencies[0]!.version)).toEqual(["1.0.1"]);
      });

      it("history growth: an unchanged snapshot is not stored, and the latest one outlives retention", async () => {
        let now = new Date(NOW.getTime() - 200 * DAY);
        const store = await harness.open({ now: () => now });
        const deps = [makeDependency({ name: "a" }), makeDependency({ name: "b", version: "2.0.0" })];
        for (let i = 0; i < 5; i++) {
          now = new Date(now.getTime() + 3_600_000);
          await store.putDependencies(repo, [...deps].reverse(), { scanned_at: now.toISOString(), head_sha: `sha${i}` });
          await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: now.toISOString() }));
        }
        expect(await store.getDependencyHistory(repo)).toHaveLength(1);
        expect(await store.getHealthHistory(repo)).toHaveLength(1);
        // 200 days later nothing changed: the one snapshot still says what is current.
        now = NOW;
        await store.putDependencies(repo, deps, { scanned_at: now.toISOString() });
        await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: now.toISOString() }));
        expect(await store.getDependencyHistory(repo)).toHaveLength(1);
        expect(await store.getHealthHistory(repo)).toHaveLength(1);
        await store.putDependencies(repo, [deps[0]!, makeDependency({ name: "b", version: "2.1.0" })], { scanned_at: now.toISOString() });
        // A change is stored; the 200-day-old snapshot, no longer the latest, then ages out.
        expect((await store.getDependencyHistory(repo)).map((h) => h.dependencies.find((d) => d.name === "b")!.version)).toEqual(["2.1.0"]);
      });

      it("history compaction: snapshots older than 7 days keep the last of each UTC day", async () => {
        const store = await harness.open({ now: () => NOW });
        const at = (iso: string, n: number) => makeSystemHealth({ timestamp: iso, metrics: { ...makeSystemHealth().metrics, security_issues: n } });
        const day = (d: number) => new Date(NOW.getTime() - d * DAY).toISOString().slice(0, 10);
        const stamps = [`${day(10)}T01:00:00.000Z`, `${day(10)}T09:00:00.000Z`, `${day(9)}T05:00:00.000Z`, `${day(2)}T01:00:00.000Z`, `${day(2)}T02:00:00.000Z`];
        let n = 0;
        for (const t of stamps) await store.appendHealthHistory(repo, at(t, n++));
        expect((await store.getHealthHistory(repo)).map((h) => h.timestamp)).toEqual([stamps[1], stamps[2], stamps[3], stamps[4]]);
      });
    });

    describe("concurrency", () => {
      it("two concurrent updaters on two instances (two processes) are both applied", async () => {
        const a = await harness.open();
        const b = await harness.open();
        await a.updateRecords(repo, () => []);
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let entered!: () => void;
        const inFirst = new Promise<void>((r) => (entered = r));
        // The first updater holds the repository until the second has been started.
        const first = a.updateRecords(repo, async (cur) => {
          entered();
          await gate;
          return [...cur, makeRecord({ id: "from-a" })];
        });
        await inFirst;
        const second = b.updateRecords(repo, (cur) => [...cur, makeRecord({ id: "from-b" })]);
        release();
        await Promise.all([first, second]);
        expect((await a.getRecords(repo)).map((r) => r.id).sort()).toEqual(["from-a", "from-b"]);
      });

      it("60 concurrent appends across three instances keep all 60", async () => {
        const stores = [await harness.open(), await harness.open(), await harness.open()];
        await Promise.all(
          Array.from({ length: 60 }, (_, i) => stores[i % 3]!.updatePending(repo, (p) => [...p, { id: `n${i}`, created_at: NOW.toISOString() }])),
        );
        const ids = (await stores[0]!.getPending(repo)).map((p) => p.id);
        expect(ids).toHaveLength(60);
        expect(new Set(ids).size).toBe(60);
      });

      it("concurrent health appends are all kept", async () => {
        const [a, b] = [await harness.open({ now: () => NOW }), await harness.open({ now: () => NOW })];
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? a : b).appendHealthHistory(repo, makeSystemHealth({ timestamp: ago(i * 1000), metrics: { ...makeSystemHealth().metrics, security_issues: i } })),
          ),
        );
        expect(await a.getHealthHistory(repo)).toHaveLength(10);
      });

      it("writes to different repositories do not wait for each other", async () => {
        const store = await harness.open();
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const slow = store.updateIssues(repo, async (cur) => {
          await gate;
          return cur;
        });
        await store.updateIssues({ owner: "acme", repo: "other" }, () => [makeIssue()]);
        expect(await store.getIssues({ owner: "acme", repo: "other" })).toHaveLength(1);
        release();
        await slow;
      });
    });

    describe("reverse dependency index", () => {
      const other = { owner: "Globex", repo: "Web" };
      const py = (over: Parameters<typeof makeDependency>[0]) => makeDependency({ datasource: "pypi", package_manager: "pip", ...over });
      const npm = (over: Parameters<typeof makeDependency>[0]) => makeDependency({ datasource: "npm", package_manager: "npm", ...over });

      it("gives back the re-assessment basis as written: every lockfile package field, paths and parents included", async () => {
        const writer = await harness.open({ now: () => NOW });
        const step = (name: string, version: string, requirement: string | null, local?: boolean) => ({ name, version, requirement, ...(local === undefined ? {} : { local }) });
        const locked = [
          { name: "qs", version: "6.7.0", datasource: "npm", component: "web", file: "web/package.json", lockfile: "package-lock.json", depth: 2, scope: "prod", paths: [[step("express", "4.17.1", "^4.17.0"), step("qs", "6.7.0", "6.7.0")]], parents: [step("express", "4.17.1", "6.7.0")] },
          { name: "qs", version: "6.7.0", datasource: "npm", component: "admin", file: "admin/package.json", lockfile: "package-lock.json", depth: null, scope: "dev", paths: [], parents: [step("@acme/ui", "0.0.0", null, true), step("body-parser", "1.19.0", "6.7.0", false)] },
          { name: "Django", version: "4.2.1", datasource: "pypi", component: "api", file: "api/pyproject.toml" },
          { name: "serde", version: "1.0.188", datasource: "crates", component: "core", file: "core/Cargo.toml", lockfile: "Cargo.lock", depth: 1, paths: [[step("serde", "1.0.188", "1")]] },
          { name: "golang.org/x/net", version: "v0.17.0", datasource: "go", component: "svc", file: "svc/go.mod", lockfile: "svc/go.sum", scope: "optional", parents: [] },
        ];
        const basis = {
          format: 1,
          head_sha: "a".repeat(40),
          tree_sha: "b".repeat(40),
          scanned_at: NOW.toISOString(),
          config: { schedule: { cron: "0 3 * * *" } },
          config_errors: [],
          scan: { source: "x", commit_sha: null, components: [{ name: "web" }], dependencies: [{ name: "express" }], locked, files_scanned: 3, manifests: ["web/package.json"] },
          workflow_files: [".github/workflows/ci.yml"],
          text_findings: { drafts: [], examined: ["README.md"] },
          codeowners: { CODEOWNERS: "* @acme/team\n" },
          yanked: [],
        } as unknown as Parameters<Store["putReassessBasis"]>[1];
        await writer.putReassessBasis(repo, basis);
        const back = await (await harness.open({ now: () => NOW })).getReassessBasis(repo);
        expect(back).toEqual(basis);
        // Absent fields stay absent (not undefined-valued keys turned into null or []).
        expect(Object.keys(back!.scan.locked[2]!).sort()).toEqual(["component", "datasource", "file", "name", "version"]);
        expect(Object.keys(back!.scan.locked[1]!.parents![0]!).sort()).toEqual(["local", "name", "requirement", "version"]);
        expect(back!.scan.locked[0]!.parents![0]).not.toHaveProperty("local");
        // A package that is not one is refused, and the stored basis stays.
        const bad = { ...basis, scan: { ...basis.scan, locked: [{ ...locked[0], name: 42 }] } } as unknown as typeof basis;
        await expect(writer.putReassessBasis(repo, bad)).rejects.toThrow(StoreValidationError);
        expect(await writer.getReassessBasis(repo)).toEqual(basis);
      });

      it("indexes the lockfile packages of the re-assessment basis (direct: false, once per version), and a new basis replaces them", async () => {
        const writer = await harness.open({ now: () => NOW });
        await writer.putDependencies(repo, [npm({ name: "express", version: "4.17.1", component: "web", file: "web/package.json" })]);
        const locked = (version: string) => [
          { name: "qs", version, datasource: "npm", component: "web", file: "web/package.json", lockfile: "web/package-lock.json", depth: 2, scope: "prod" },
          { name: "qs", version, datasource: "npm", component: "admin", file: "admin/package.json", lockfile: "web/package-lock.json", depth: 2, scope: "prod" },
        ];
        const basis = (version: string) =>
          ({
            format: 1,
            head_sha: "a".repeat(40),
            tree_sha: null,
            scanned_at: NOW.toISOString(),
            config: { schedule: {} },
            config_errors: [],
            scan: { source: "x", commit_sha: null, components: [], dependencies: [], locked: locked(version), files_scanned: 0, manifests: [] },
            workflow_files: [],
            text_findings: { drafts: [], examined: [] },
            codeowners: {},
            yanked: [],
          }) as unknown as Parameters<Store["putReassessBasis"]>[1];
        await writer.putReassessBasis(repo, basis("6.7.0"));
        const reader = await harness.open({ now: () => NOW });
        expect((await reader.getReassessBasis(repo))?.scan.locked.map((l) => l.version)).toEqual(["6.7.0", "6.7.0"]);
        expect(await reader.findDependents({ ecosystem: "npm", name: "qs" })).toEqual([
          { repo: { owner: "acme", repo: "app" }, ecosystem: "npm", name: "qs", version: "6.7.0", component: "web", file: "web/package-lock.json", dependency_type: "prod", direct: false },
        ]);
        await writer.putReassessBasis(repo, basis("6.7.3"));
        expect((await (await harness.open({ now: () => NOW })).findDependents({ ecosystem: "npm", name: "qs" })).map((d) => d.version)).toEqual(["6.7.3"]);
        expect(await reader.getReassessBasis(other)).toBeNull();
      });

      it("finds every repository, component and file using a package, by normalised name, across stores opened as other processes", async () => {
        const writer = await harness.open({ now: () => NOW });
        await writer.putDependencies(repo, [
          py({ name: "Flask_Cors", version: "3.0.0", component: "api", file: "api/requirements.txt" }),
          npm({ name: "lodash", version: "4.17.20", component: "web", file: "web/package.json" }),
          npm({ name: "minimist", version: "1.2.0", component: "web", file: "web/package-lock.json", current_value: "(transitive)", dependency_type: "prod" }),
        ]);
        await writer.putDependencies(other, [npm({ name: "lodash", version: "4.17.21", component: ".", file: "package.json" })]);

        const reader = await harness.open({ now: () => NOW });
        const flask = await reader.findDependents({ ecosystem: "PyPI", name: "flask-cors" });
        expect(flask).toEqual([
          { repo: { owner: "acme", repo: "app" }, ecosystem: "PyPI", name: "Flask_Cors", version: "3.0.0", component: "api", file: "api/requirements.txt", dependency_type: "prod", direct: true },
        ]);
        const lodash = await reader.findDependents({ ecosystem: "npm", name: "lodash" });
        expect(lodash.map((d) => [`${d.repo.owner}/${d.repo.repo}`, d.version, d.file])).toEqual([
          ["acme/app", "4.17.20", "web/package.json"],
          ["globex/web", "4.17.21", "package.json"],
        ]);
        const minimist = await reader.findDependents({ ecosystem: "npm", name: "minimist" });
        expect(minimist).toHaveLength(1);
        expect(minimist[0]!.direct).toBe(false);
        // npm names are case-sensitive, and the ecosystem must match.
        expect(await reader.findDependents({ ecosystem: "npm", name: "Lodash" })).toEqual([]);
        expect(await reader.findDependents({ ecosystem: "PyPI", name: "lodash" })).toEqual([]);
        const stats = await reader.dependentsIndexStats();
        expect(stats.entries).toBe(4);
        expect(stats.packages).toBe(3);
      });

      it("lists the distinct indexed packages (dependencies and lockfile-only ones), normalised, sorted, and follows scans", async () => {
        const writer = await harness.open({ now: () => NOW });
        expect(await writer.listDependentPackages()).toEqual([]);
        await writer.putDependencies(repo, [
          py({ name: "Flask_Cors", version: "3.0.0", component: "api", file: "api/requirements.txt" }),
          npm({ name: "lodash", version: "4.17.20", component: "web", file: "web/package.json" }),
          npm({ name: "lodash", version: "4.17.20", component: "admin", file: "admin/package.json" }),
        ]);
        await writer.putDependencies(other, [npm({ name: "lodash", version: "4.17.21" }), npm({ name: "Zod", version: "3.0.0" })]);
        await writer.putReassessBasis(other, {
          format: 1,
          head_sha: "b".repeat(40),
          tree_sha: null,
          scanned_at: NOW.toISOString(),
          config: { schedule: {} },
          config_errors: [],
          scan: { source: "x", commit_sha: null, components: [], dependencies: [], locked: [{ name: "qs", version: "6.7.0", datasource: "npm", component: ".", file: "package.json", lockfile: "package-lock.json", depth: 2, scope: "prod" }], files_scanned: 0, manifests: [] },
          workflow_files: [],
          text_findings: { drafts: [], examined: [] },
          codeowners: {},
          yanked: [],
        } as unknown as Parameters<Store["putReassessBasis"]>[1]);
        const reader = await harness.open({ now: () => NOW });
        // Written by hand: PEP 503 for PyPI, npm names as written; code-unit order ("Zod" before "lodash").
        expect(await reader.listDependentPackages()).toEqual([
          { ecosystem: "PyPI", name: "flask-cors" },
          { ecosystem: "npm", name: "Zod" },
          { ecosystem: "npm", name: "lodash" },
          { ecosystem: "npm", name: "qs" },
        ]);
        await writer.putDependencies(repo, []);
        expect((await (await harness.open({ now: () => NOW })).listDependentPackages()).map((p) => p.name)).toEqual(["Zod", "lodash", "qs"]);
      });

      it("follows every scan: a removed or upgraded dependency leaves the index, an emptied repository leaves it entirely", async () => {
        const store = await harness.open({ now: () => NOW });
        await store.putDependencies(repo, [npm({ name: "lodash", version: "4.17.20" }), npm({ name: "axios", version: "0.21.0" })]);
        expect(await store.findDependents({ ecosystem: "npm", name: "axios" })).toHaveLength(1);
        await store.putDependencies(repo, [npm({ name: "lodash", version: "4.17.21" })]);
        expect(await store.findDependents({ ecosystem: "npm", name: "axios" })).toEqual([]);
        expect((await store.findDependents({ ecosystem: "npm", name: "lodash" })).map((d) => d.version)).toEqual(["4.17.21"]);
        // A second store instance (another process) sees the change too.
        const again = await harness.open({ now: () => NOW });
        await again.putDependencies(repo, []);
        expect(await store.findDependents({ ecosystem: "npm", name: "lodash" })).toEqual([]);
        expect((await store.dependentsIndexStats()).entries).toBe(0);
      });
    });
  });
}
