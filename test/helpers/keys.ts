import { generateKeyPairSync } from "node:crypto";

let cached: string | undefined;

/** A throwaway RSA private key (PKCS#1 PEM) for signing app JWTs in tests. Never a real secret. */
export function testPrivateKey(): string {
  cached ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return cached;
}
