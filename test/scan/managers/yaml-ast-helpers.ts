import { expect } from "vitest";
import { parseFast, type YNode } from "../../../src/scan/managers/yaml-ast.js";

/** The first document's root node as the fast parser builds it (it must not fall back). */
export function root(content: string): YNode {
  const docs = parseFast(content);
  expect(docs).not.toBeNull();
  const node = docs?.[0]?.contents;
  if (!node) throw new Error("no document");
  return node;
}

/** The value of `key` in a map node. */
export function valueOf(map: YNode, key: string): YNode {
  if (map.kind !== "map") throw new Error("not a map");
  const pair = map.items.find((p) => p.key.value === key);
  if (!pair) throw new Error(`no key ${key}`);
  return pair.value;
}
