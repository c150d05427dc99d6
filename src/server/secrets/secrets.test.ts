import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { contentId, openSecret, parseSecretKey, sealSecret, SecretError } from "./index";

const key = randomBytes(32);
const kubeconfig =
  "apiVersion: v1\nkind: Config\nclusters:\n- name: k3s\n  cluster:\n    server: https://k3s.example:6443\n";

describe("secrets at rest", () => {
  it("round-trips a kubeconfig and records its sha256 content id", () => {
    const sealed = sealSecret(kubeconfig, key);
    expect(openSecret(sealed.cipher, sealed.contentId, key)).toBe(kubeconfig);
    expect(sealed.contentId).toBe(contentId(kubeconfig));
    expect(sealed.contentId).toMatch(/^[0-9a-f]{64}$/);
  });

  it("never stores the plaintext and uses a fresh IV each time", () => {
    const a = sealSecret(kubeconfig, key);
    const b = sealSecret(kubeconfig, key);
    expect(Buffer.from(a.cipher).includes(Buffer.from("k3s.example"))).toBe(false);
    expect(Buffer.from(a.cipher).equals(Buffer.from(b.cipher))).toBe(false);
    expect(a.contentId).toBe(b.contentId);
  });

  it("detects a flipped ciphertext byte", () => {
    const sealed = sealSecret(kubeconfig, key);
    const tampered = Buffer.from(sealed.cipher);
    tampered[tampered.length - 3]! ^= 0x01;
    expect(() => openSecret(tampered, sealed.contentId, key)).toThrow(/integrity check/);
  });

  it("detects a ciphertext swapped for another secret sealed with the same key", () => {
    const original = sealSecret(kubeconfig, key);
    const other = sealSecret(kubeconfig.replace("k3s", "evil"), key);
    expect(() => openSecret(other.cipher, original.contentId, key)).toThrow(/does not match its content id/);
  });

  it("refuses the wrong key", () => {
    const sealed = sealSecret(kubeconfig, key);
    expect(() => openSecret(sealed.cipher, undefined, randomBytes(32))).toThrow(SecretError);
  });

  it("accepts hex or base64 keys of 32 bytes and explains anything else", () => {
    expect(parseSecretKey("ab".repeat(32))).toHaveLength(32);
    expect(parseSecretKey(key.toString("base64"))).toEqual(key);
    expect(() => parseSecretKey(undefined)).toThrow(/NEMO_SECRET_KEY is not set/);
    expect(() => parseSecretKey("abcd")).toThrow(/32 bytes \(got/);
  });
});
