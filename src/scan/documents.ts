/**
 * Parsed lockfile documents shared within one scan: the manager parses a lockfile once and the
 * dependency graph builder (src/scan/graph) reads the same document, instead of parsing the text
 * again. Keyed by (kind, file); an entry is valid only for the exact same content. Scan-scoped: the
 * scan creates one and drops it at the end, so no document outlives its scan.
 *
 * The documents are read-only: a consumer never mutates what it gets.
 */
export class ParsedDocuments {
  private readonly entries = new Map<string, { content: string; value: unknown }>();
  hits = 0;
  misses = 0;

  /** The cached parse of `content`, or `parse()` stored under (kind, file). */
  get<T>(kind: string, file: string, content: string, parse: () => T): T {
    const key = `${kind}\u0000${file}`;
    const hit = this.entries.get(key);
    // Same string object in a scan: the comparison is a pointer check, not a scan of the text.
    if (hit && hit.content === content) {
      this.hits++;
      return hit.value as T;
    }
    this.misses++;
    const value = parse();
    this.entries.set(key, { content, value });
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Through the cache when there is one, else a direct parse. */
export function parsedDocument<T>(docs: ParsedDocuments | undefined, kind: string, file: string, content: string, parse: () => T): T {
  return docs ? docs.get(kind, file, content, parse) : parse();
}

export type RawParse = { ok: true; doc: unknown } | { ok: false; error: unknown };

/** A parse that may throw, cached with its outcome (a syntax error is cached too). */
export function rawParse(docs: ParsedDocuments | undefined, kind: string, file: string, content: string, parse: (content: string) => unknown): RawParse {
  return parsedDocument(docs, kind, file, content, (): RawParse => {
    try {
      return { ok: true, doc: parse(content) };
    } catch (error) {
      return { ok: false, error };
    }
  });
}

/** JSON without a leading byte-order mark (an editor on Windows may write one; JSON.parse refuses it). */
export function parseJsonText(content: string): unknown {
  return JSON.parse(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content);
}
