import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { serverEnv } from "@/server/env";

export {
  isSecretManifest,
  isSecretName,
  REDACTED,
  redactSecretManifest,
  redactSecretValues,
  redactYamlSecrets,
} from "./redaction";

/**
 * Secrets at rest (kubeconfigs, bearer tokens): AES-256-GCM with the key from
 * NEMO_SECRET_KEY. Stored form: version (1 byte) | IV (12) | auth tag (16) |
 * ciphertext. A secret also has a content id, the sha256 of its plaintext, so a
 * changed secret shows as a new id and a tampered ciphertext fails to decrypt.
 */
const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretError";
  }
}

/** Parses a 32-byte key given as 64 hex characters or base64. */
export function parseSecretKey(value: string | undefined): Buffer {
  if (!value) {
    throw new SecretError(
      "NEMO_SECRET_KEY is not set: it must be a 32-byte key (64 hex characters or base64); the quick start generates one in .nemo/secret-key",
    );
  }
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : Buffer.from(trimmed, "base64");
  if (key.length !== 32) {
    throw new SecretError(`NEMO_SECRET_KEY must decode to 32 bytes (got ${key.length})`);
  }
  return key;
}

function processKey(): Buffer {
  return parseSecretKey(serverEnv().NEMO_SECRET_KEY);
}

/** sha256 of the plaintext, hex: the secret's content id. */
export function contentId(plaintext: string | Uint8Array): string {
  return createHash("sha256").update(plaintext).digest("hex");
}

export interface SealedSecret {
  cipher: Uint8Array<ArrayBuffer>;
  contentId: string;
}

export function sealSecret(plaintext: string, key: Buffer = processKey()): SealedSecret {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const sealed = Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), body]);
  return { cipher: new Uint8Array(sealed), contentId: contentId(plaintext) };
}

/**
 * Decrypts a sealed secret; when `expectedContentId` is given, also checks the
 * plaintext still has that id (a swapped ciphertext under the same key fails).
 */
export function openSecret(
  sealed: Uint8Array,
  expectedContentId?: string,
  key: Buffer = processKey(),
): string {
  const data = Buffer.from(sealed);
  if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== FORMAT_VERSION) {
    throw new SecretError("stored secret is malformed or of an unknown format");
  }
  const iv = data.subarray(1, 1 + IV_BYTES);
  const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const body = data.subarray(1 + IV_BYTES + TAG_BYTES);
  let plaintext: string;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretError(
      "stored secret failed its integrity check (tampered, or encrypted with another key)",
    );
  }
  if (expectedContentId !== undefined && contentId(plaintext) !== expectedContentId) {
    throw new SecretError(
      `stored secret does not match its content id (expected ${expectedContentId.slice(0, 12)}…, got ${contentId(plaintext).slice(0, 12)}…)`,
    );
  }
  return plaintext;
}

/** What a browser or API client may see of a secret: never the value. */
export function redactSecret(value: string | null | undefined): string | null {
  return value ? "••••••" : null;
}
