/** Reading many repositories' documents without waiting for each in turn (the store's latency is mostly I/O). */

/**
 * fn for every item, at most `ahead` started beyond the one the caller awaits: the results in order,
 * each a promise (a rejected one rejects when awaited; nothing is left unhandled).
 */
export function* readAhead<T, R>(items: readonly T[], ahead: number, fn: (item: T) => Promise<R>): Generator<[T, Promise<R>]> {
  const started: Array<Promise<R>> = [];
  const start = (i: number) => {
    if (i < items.length && started[i] === undefined) {
      const p = fn(items[i]!);
      p.catch(() => undefined);
      started[i] = p;
    }
  };
  for (let i = 0; i < items.length; i++) {
    for (let j = i; j <= i + ahead; j++) start(j);
    yield [items[i]!, started[i]!];
    delete started[i];
  }
}
