import { describe, expect, it } from "vitest";
import { assertSafeUrl, blockedAddressReason, redactUrl, UnsafeUrlError, type Resolver } from "../../src/enrich/url-guard.js";

const resolvesTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
const env = {};

describe("assertSafeUrl", () => {
  it("accepts a public https URL whose host resolves to public addresses", async () => {
    const u = await assertSafeUrl("https://npm.mirror.example.com/", { resolve: resolvesTo("93.184.216.34", "2606:2800:220:1::1"), env });
    expect(u.hostname).toBe("npm.mirror.example.com");
  });

  it.each([
    ["file:///etc/passwd", /scheme file:/],
    ["ftp://example.com/x", /scheme ftp:/],
    ["gopher://example.com/", /scheme gopher:/],
    ["https://user:pw@example.com/", /credentials/],
    ["not a url", /invalid URL/],
  ])("refuses %s", async (url, message) => {
    await expect(assertSafeUrl(url, { resolve: resolvesTo("93.184.216.34"), env })).rejects.toThrow(message);
  });

  it.each([
    ["loopback v4", "http://127.0.0.1:8080/"],
    ["loopback v4 decimal form", "http://2130706433/"],
    ["loopback v6", "http://[::1]/"],
    ["private 10/8", "http://10.1.2.3/"],
    ["private 172.16/12", "http://172.31.255.1/"],
    ["private 192.168/16", "http://192.168.0.10/"],
    ["link-local / metadata", "http://169.254.169.254/latest/meta-data/"],
    ["unspecified", "http://0.0.0.0/"],
    ["unique local v6", "http://[fd00:ec2::254]/"],
    ["link-local v6", "http://[fe80::1]/"],
    ["v4-mapped v6 loopback", "http://[::ffff:127.0.0.1]/"],
    ["metadata host name", "http://metadata.google.internal/computeMetadata/v1/"],
    ["localhost", "http://localhost:3000/"],
  ])("refuses %s (%s)", async (_label, url) => {
    await expect(assertSafeUrl(url, { resolve: resolvesTo("93.184.216.34"), env })).rejects.toBeInstanceOf(UnsafeUrlError);
  });

  it.each([
    ["127.0.0.1"],
    ["10.0.0.5"],
    ["172.16.0.1"],
    ["192.168.1.1"],
    ["169.254.169.254"],
    ["fc00::1"],
    ["fe80::abcd"],
  ])("refuses a public-looking name that resolves to %s", async (addr) => {
    await expect(assertSafeUrl("https://innocent.example.com/", { resolve: resolvesTo("93.184.216.34", addr), env })).rejects.toThrow(
      /innocent\.example\.com resolves to/,
    );
  });

  it("refuses a host that does not resolve", async () => {
    const resolve: Resolver = async () => {
      throw new Error("getaddrinfo ENOTFOUND");
    };
    await expect(assertSafeUrl("https://nowhere.invalid/", { resolve, env })).rejects.toThrow(/cannot resolve/);
  });

  it("allows private addresses when the option or COWABUNGA_ALLOW_PRIVATE_URLS says so", async () => {
    await expect(assertSafeUrl("http://10.0.0.5/", { allowPrivate: true, env })).resolves.toBeInstanceOf(URL);
    await expect(assertSafeUrl("http://127.0.0.1/", { env: { COWABUNGA_ALLOW_PRIVATE_URLS: "true" } })).resolves.toBeInstanceOf(URL);
    // Still refuses bad schemes and credentials.
    await expect(assertSafeUrl("file:///x", { allowPrivate: true, env })).rejects.toThrow(/scheme/);
  });

  it("classifies addresses", () => {
    expect(blockedAddressReason("8.8.8.8")).toBeNull();
    expect(blockedAddressReason("172.32.0.1")).toBeNull();
    expect(blockedAddressReason("172.15.255.255")).toBeNull();
    expect(blockedAddressReason("::ffff:7f00:1")).not.toBeNull();
    expect(blockedAddressReason("100.100.100.200")).not.toBeNull();
  });

  it("redacts credentials and secret query parameters", () => {
    expect(redactUrl("https://u:p@h.example/x?token=s&name=ok")).toBe("https://h.example/x?token=***&name=ok");
  });
});

describe("blockedAddressReason: IPv6 forms that embed an IPv4 address (review fix)", () => {
  it.each([
    ["::127.0.0.1", "127.0.0.1"],
    ["::7f00:1", "127.0.0.1"],
    ["64:ff9b::169.254.169.254", "169.254.169.254"],
    ["64:ff9b::a9fe:a9fe", "169.254.169.254"],
    ["2002:a9fe:a9fe::1", "169.254.169.254"],
    ["2002:0a00:0001::", "10.0.0.1"],
  ])("refuses %s (it embeds %s)", (addr, inner) => {
    expect(blockedAddressReason(addr)).toContain(`embeds ${inner}`);
  });

  it.each(["64:ff9b::8.8.8.8", "2002:0808:0808::1", "2606:4700:4700::1111"])("allows the public %s", (addr) => {
    expect(blockedAddressReason(addr)).toBeNull();
  });

  it("refuses a URL whose host resolves to a NAT64 form of the metadata address", async () => {
    await expect(assertSafeUrl("https://sneaky.example/", { resolve: async () => [{ address: "64:ff9b::a9fe:a9fe", family: 6 }] })).rejects.toThrow(
      /sneaky\.example resolves to 64:ff9b::a9fe:a9fe embeds 169\.254\.169\.254/,
    );
  });
});
