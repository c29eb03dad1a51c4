import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Outbound URL guard against SSRF: registry URLs come from repository config and manifests, so a
 * hostile repository could point us at the cloud metadata endpoint or an internal service.
 */

export class UnsafeUrlError extends Error {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = "UnsafeUrlError";
  }
}

/**
 * The host name could not be resolved: a network condition (offline, DNS down, a typo), not a
 * refusal by the guard. The message names the host, not the URL, since one failed lookup answers
 * for every URL on that host.
 */
export class HostUnreachableError extends Error {
  constructor(
    readonly host: string,
    readonly code: string | null,
  ) {
    super(`cannot resolve ${host}${code ? ` (${code})` : ""}`);
    this.name = "HostUnreachableError";
  }
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface UrlGuardOptions {
  /** Allow loopback/private/link-local targets (self-hosted mirrors on a LAN). */
  allowPrivate?: boolean;
  /** Injectable DNS resolver; defaults to dns.lookup(host, { all: true }). */
  resolve?: Resolver;
  /** Environment to read COWABUNGA_ALLOW_PRIVATE_URLS from; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

const BLOCKED = new BlockList();
// IPv4: "this network", loopback, RFC 1918, CGNAT (Alibaba metadata 100.100.100.200), link-local
// (AWS/GCP/Azure metadata 169.254.169.254), IETF protocol assignments, benchmarking, multicast, reserved.
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["127.0.0.0", 8],
  ["10.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["100.64.0.0", 10],
  ["169.254.0.0", 16],
  ["192.0.0.0", 24],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, "ipv4");
}
// IPv6: unspecified, loopback, unique local (fc00::/7, includes AWS fd00:ec2::254), link-local, multicast.
BLOCKED.addAddress("::", "ipv6");
BLOCKED.addAddress("::1", "ipv6");
BLOCKED.addSubnet("fc00::", 7, "ipv6");
BLOCKED.addSubnet("fe80::", 10, "ipv6");
BLOCKED.addSubnet("ff00::", 8, "ipv6");

const METADATA_HOSTS = new Set([
  "localhost",
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
]);

/** Why an IP address is refused, or null when it is a public address. */
export function blockedAddressReason(address: string): string | null {
  let addr = address.replace(/^\[|\]$/g, "").toLowerCase();
  const zone = addr.indexOf("%");
  if (zone >= 0) addr = addr.slice(0, zone);
  const family = isIP(addr);
  if (family === 0) return "not an IP address";
  if (family === 6) {
    // IPv4-mapped (::ffff:a.b.c.d / ::ffff:7f00:1) and NAT64-free compat forms: check the IPv4 inside.
    const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
    if (mapped) return blockedAddressReason(mapped[1]);
    const hexMapped = /^(?:0*:)*:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(addr);
    if (hexMapped) {
      const hi = parseInt(hexMapped[1], 16);
      const lo = parseInt(hexMapped[2], 16);
      return blockedAddressReason(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    if (BLOCKED.check(addr, "ipv6")) return `${addr} is a loopback, private, link-local or reserved IPv6 address`;
    // Forms that carry an IPv4 address inside: IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96)
    // and 6to4 (2002:AABB:CCDD::/48). Refused when the IPv4 inside is.
    const embedded = embeddedIpv4(addr);
    if (embedded) {
      const inner = blockedAddressReason(embedded);
      if (inner) return `${addr} embeds ${inner}`;
    }
    return null;
  }
  return BLOCKED.check(addr, "ipv4") ? `${addr} is a loopback, private, link-local, metadata or reserved IPv4 address` : null;
}

/** The 8 groups of an IPv6 address (valid per isIP), or null. */
function ipv6Groups(addr: string): number[] | null {
  let a = addr;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number);
    a = `${a.slice(0, v4.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const halves = a.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill("0"), ...tail].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function ipv4Of(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The IPv4 address inside an IPv4-compatible, NAT64 or 6to4 IPv6 address, or null. */
function embeddedIpv4(addr: string): string | null {
  const g = ipv6Groups(addr);
  if (!g) return null;
  if (g.slice(0, 6).every((x) => x === 0) && (g[6] !== 0 || g[7] > 1)) return ipv4Of(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return ipv4Of(g[6], g[7]);
  if (g[0] === 0x2002) return ipv4Of(g[1], g[2]);
  return null;
}

/** True when private targets are allowed (the option, or COWABUNGA_ALLOW_PRIVATE_URLS=true). */
export function privateUrlsAllowed(opts: UrlGuardOptions): boolean {
  if (opts.allowPrivate) return true;
  const env = opts.env ?? process.env;
  return env.COWABUNGA_ALLOW_PRIVATE_URLS === "true";
}

const defaultResolver: Resolver = async (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Refuse a URL that is not http(s), embeds credentials, or targets (or resolves to) a loopback,
 * private, link-local, unspecified or metadata address. Returns the parsed URL when safe.
 * Throws UnsafeUrlError (message names the URL without credentials).
 */
export async function assertSafeUrl(url: string | URL, opts: UrlGuardOptions = {}): Promise<URL> {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    throw new UnsafeUrlError(`invalid URL: ${String(url).slice(0, 200)}`, String(url).slice(0, 200));
  }
  const shown = redactUrl(parsed);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UnsafeUrlError(`refusing ${shown}: scheme ${parsed.protocol} is not http or https`, shown);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new UnsafeUrlError(`refusing ${shown}: credentials in the URL are not allowed`, shown);
  }
  if (privateUrlsAllowed(opts)) return parsed;

  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.$/, "");
  if (METADATA_HOSTS.has(host) || host.endsWith(".localhost") || host.endsWith(".internal")) {
    throw new UnsafeUrlError(`refusing ${shown}: ${host} is a local or metadata host`, shown);
  }
  if (isIP(host) !== 0) {
    const reason = blockedAddressReason(host);
    if (reason) throw new UnsafeUrlError(`refusing ${shown}: ${reason}`, shown);
    return parsed;
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await (opts.resolve ?? defaultResolver)(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HostUnreachableError(host, typeof code === "string" ? code : (err as Error).message.slice(0, 100) || null);
  }
  if (addresses.length === 0) throw new HostUnreachableError(host, "no addresses");
  for (const a of addresses) {
    const reason = blockedAddressReason(a.address);
    if (reason) throw new UnsafeUrlError(`refusing ${shown}: ${host} resolves to ${reason}`, shown);
  }
  return parsed;
}

const SECRET_QUERY = /^(access_token|token|key|api_key|apikey|signature|sig|password|secret|x-amz-signature|x-amz-credential)$/i;

/** The URL as safe to print: no userinfo, secret-looking query parameters masked. */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return String(url).replace(/\/\/[^/@]*@/, "//***@").slice(0, 500);
  }
  u.username = "";
  u.password = "";
  for (const k of [...u.searchParams.keys()]) {
    if (SECRET_QUERY.test(k)) u.searchParams.set(k, "***");
  }
  return u.toString();
}
