/**
 * Connect only to vetted addresses (DNS rebinding). assertSafeUrl resolves a host and checks the
 * answer, but fetch then resolves the host again: a hostile DNS server can answer a public address
 * the first time and 127.0.0.1 (or the metadata address) the second. An undici Agent whose
 * `connect.lookup` is the guard closes that gap: the lookup that picks the socket's address is the
 * one that is checked, every address it yields is checked (IPv4-mapped IPv6 included), and the
 * socket connects to exactly those addresses. Redirect hops open their connections through the
 * same Agent, so each hop is checked at connect time too.
 *
 * Used with the global fetch (`fetch(url, { dispatcher })`): nock and other fetch interceptors still
 * see the request first, so tests that mock hosts keep working.
 */
import { lookup as dnsLookup } from "node:dns";
import type { LookupAddress, LookupOptions } from "node:dns";
import { Agent, type Dispatcher } from "undici";
import { blockedAddressReason, privateUrlsAllowed, UnsafeUrlError, type Resolver, type UrlGuardOptions } from "./url-guard.js";

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The `lookup` net.connect calls; both shapes of its callback (`all` or a single address). */
export type ConnectLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** A refusal net.connect passes on as the fetch error's cause (not retried: see isUnsafeConnection). */
function refusal(hostname: string, reason: string): NodeJS.ErrnoException {
  const err = new UnsafeUrlError(`refusing to connect to ${hostname}: ${reason}`, hostname) as UnsafeUrlError & NodeJS.ErrnoException;
  err.code = "ERR_UNSAFE_ADDRESS";
  return err;
}

/**
 * A connect-time lookup that resolves `hostname` (with `opts.resolve`, default the system resolver)
 * and refuses the connection when any answer is a loopback, private, link-local, metadata or
 * reserved address, unless private URLs are allowed (COWABUNGA_ALLOW_PRIVATE_URLS=true).
 */
export function guardedLookup(opts: UrlGuardOptions = {}): ConnectLookup {
  const resolve = opts.resolve ?? systemResolver;
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        const wanted = options.family === 4 || options.family === 6 ? answers.filter((a) => a.family === options.family) : answers;
        if (wanted.length === 0) return callback(refusal(hostname, "no address"), []);
        if (!privateUrlsAllowed(opts)) {
          for (const a of wanted) {
            const reason = blockedAddressReason(a.address);
            if (reason) return callback(refusal(hostname, `it resolves to ${reason}`), []);
          }
        }
        const vetted: LookupAddress[] = wanted.map((a) => ({ address: a.address, family: a.family }));
        if (options.all) callback(null, vetted);
        else callback(null, vetted[0].address, vetted[0].family);
      },
      (err: unknown) => callback(err instanceof Error ? (err as NodeJS.ErrnoException) : new Error(String(err)), []),
    );
  };
}

/** An undici Agent that connects only to addresses guardedLookup accepts. */
export function createGuardedAgent(opts: UrlGuardOptions = {}): Agent {
  return new Agent({ connect: { lookup: guardedLookup(opts) } });
}

let shared: Agent | null = null;

/** The process-wide guarded Agent (system resolver, COWABUNGA_ALLOW_PRIVATE_URLS from process.env). */
export function sharedGuardedAgent(): Dispatcher {
  shared ??= createGuardedAgent();
  return shared;
}

const perEnv = new WeakMap<object, Agent>();

/**
 * The guarded Agent for these guard options: the shared one, one per environment object (callers
 * that build a client per message reuse its connections), or a new one for an injected resolver.
 */
export function guardedDispatcherFor(opts: UrlGuardOptions = {}): Dispatcher {
  if (opts.resolve || opts.allowPrivate) return createGuardedAgent(opts);
  if (!opts.env || opts.env === process.env) return sharedGuardedAgent();
  let agent = perEnv.get(opts.env);
  if (!agent) perEnv.set(opts.env, (agent = createGuardedAgent({ env: opts.env })));
  return agent;
}

/** True when a fetch failed because the guarded Agent refused the address (a refusal, not a network fault to retry). */
export function isUnsafeConnection(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof UnsafeUrlError || (e as { code?: unknown }).code === "ERR_UNSAFE_ADDRESS") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The refusal message inside a fetch error, or null. */
export function unsafeConnectionMessage(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof UnsafeUrlError || (e as { code?: unknown }).code === "ERR_UNSAFE_ADDRESS") return (e as Error).message;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * `init` with undici's `dispatcher` option for the global fetch. Node's bundled fetch accepts an
 * undici 7 dispatcher; only the type declarations (undici-types of Node vs undici 7) differ.
 */
export function withDispatcher(init: RequestInit, dispatcher: Dispatcher | null | undefined): RequestInit {
  return dispatcher ? ({ ...init, dispatcher } as unknown as RequestInit) : init;
}
