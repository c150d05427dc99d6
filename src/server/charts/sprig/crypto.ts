/** Sprig crypto functions built on node:crypto: AES, derivePassword, htpasswd, certificates. */
import {
  X509Certificate,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  randomBytes,
  scryptSync,
} from "node:crypto";
import {
  GoError,
  GoStruct,
  type SizedInt,
  goFunc,
  utf8Bytes,
  type GoFunc,
  type Value,
} from "../template/values";
import { base64DecodeStrict } from "./strings";

function aesKey(password: string): Buffer {
  return createHash("sha256").update(utf8Bytes(password)).digest();
}

function encryptAES(password: string, plaintext: string): string {
  const key = aesKey(password);
  const content = Buffer.from(utf8Bytes(plaintext));
  const padding = 16 - (content.length % 16);
  const padded = Buffer.concat([content, Buffer.alloc(padding, padding)]);
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  cipher.setAutoPadding(false);
  const enc = Buffer.concat([cipher.update(padded), cipher.final()]);
  return Buffer.concat([iv, enc]).toString("base64");
}

function decryptAES(password: string, crypt64: string): string {
  const data = Buffer.from(base64DecodeStrict(crypt64));
  if (data.length < 16) throw new GoError("ciphertext too short");
  const iv = data.subarray(0, 16);
  const body = data.subarray(16);
  if (body.length % 16 !== 0) throw new GoError("crypto/cipher: input not full blocks");
  const decipher = createDecipheriv("aes-256-cbc", aesKey(password), iv);
  decipher.setAutoPadding(false);
  const dec = Buffer.concat([decipher.update(body), decipher.final()]);
  const pad = dec[dec.length - 1] ?? 0;
  return dec.subarray(0, dec.length - pad).toString("utf8");
}

const TEMPLATES: Record<string, string[]> = {
  maximum: ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
  long: [
    "CvcvnoCvcvCvcv",
    "CvcvCvcvnoCvcv",
    "CvcvCvcvCvcvno",
    "CvccnoCvcvCvcv",
    "CvccCvcvnoCvcv",
    "CvccCvcvCvcvno",
    "CvcvnoCvccCvcv",
    "CvcvCvccnoCvcv",
    "CvcvCvccCvcvno",
    "CvcvnoCvcvCvcc",
    "CvcvCvcvnoCvcc",
    "CvcvCvcvCvccno",
    "CvccnoCvccCvcv",
    "CvccCvccnoCvcv",
    "CvccCvccCvcvno",
    "CvcvnoCvccCvcc",
    "CvcvCvccnoCvcc",
    "CvcvCvccCvccno",
    "CvccnoCvcvCvcc",
    "CvccCvcvnoCvcc",
    "CvccCvcvCvccno",
  ],
  medium: ["CvcnoCvc", "CvcCvcno"],
  short: ["Cvcn"],
  basic: ["aaanaaan", "aannaaan", "aaannaaa"],
  pin: ["nnnn"],
};

const CHARS: Record<string, string> = {
  V: "AEIOU",
  C: "BCDFGHJKLMNPQRSTVWXYZ",
  v: "aeiou",
  c: "bcdfghjklmnpqrstvwxyz",
  A: "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
  a: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
  n: "0123456789",
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
};

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Master Password algorithm, as sprig implements it. */
function derivePassword(counter: number, type: string, password: string, user: string, site: string): string {
  const templates = TEMPLATES[type];
  if (!templates) return `cannot find password template ${type}`;
  const seed = Buffer.from("com.lyndir.masterpassword");
  const userB = Buffer.from(utf8Bytes(user));
  const salt = Buffer.concat([seed, u32(userB.length), userB]);
  const key = scryptSync(Buffer.from(utf8Bytes(password)), salt, 64, {
    N: 32768,
    r: 8,
    p: 2,
    maxmem: 256 * 1024 * 1024,
  });
  const siteB = Buffer.from(utf8Bytes(site));
  const msg = Buffer.concat([seed, u32(siteB.length), siteB, u32(counter)]);
  const digest = createHmac("sha256", key).update(msg).digest();
  const temp = templates[(digest[0] ?? 0) % templates.length] ?? "";
  let out = "";
  for (let i = 0; i < temp.length; i++) {
    const chars = CHARS[temp[i] ?? ""] ?? "";
    out += chars[(digest[i + 1] ?? 0) % chars.length];
  }
  return out;
}

function htpasswd(user: string, password: string, alg: string): string {
  if (user.includes(":")) return `invalid username: ${user}`;
  if (alg === "sha") return `${user}:{SHA}${createHash("sha1").update(utf8Bytes(password)).digest("base64")}`;
  throw new GoError("htpasswd: bcrypt hashing is not supported");
}

function certificate(cert: string, key: string): GoStruct {
  return new GoStruct(
    "sprig.certificate",
    new Map<string, Value>([
      ["Cert", cert],
      ["Key", key],
    ]),
  );
}

function pemBlock(text: string): string | undefined {
  const m = /-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/.exec(text);
  return m?.[0];
}

function buildCustomCert(b64cert: string, b64key: string): GoStruct {
  let cert: string;
  let key: string;
  try {
    cert = Buffer.from(base64DecodeStrict(b64cert)).toString("utf8");
  } catch {
    throw new GoError("unable to decode base64 certificate");
  }
  try {
    key = Buffer.from(base64DecodeStrict(b64key)).toString("utf8");
  } catch {
    throw new GoError("unable to decode base64 private key");
  }
  const cb = pemBlock(cert);
  if (!cb) throw new GoError("unable to decode certificate");
  try {
    new X509Certificate(cb);
  } catch (e) {
    throw new GoError(`error parsing certificate: ${(e as Error).message}`);
  }
  const kb = pemBlock(key);
  if (!kb) throw new GoError("unable to decode private key");
  try {
    createPrivateKey(kb);
  } catch (e) {
    throw new GoError(`error parsing private key: ${(e as Error).message}`);
  }
  return certificate(cert, key);
}

export function cryptoFuncs(): [string, GoFunc][] {
  return [
    ["encryptAES", goFunc(["string", "string"], (p, t) => encryptAES(p as string, t as string))],
    ["decryptAES", goFunc(["string", "string"], (p, t) => decryptAES(p as string, t as string))],
    [
      "derivePassword",
      goFunc(["uint32", "string", "string", "string", "string"], (c, t, p, u, s) =>
        derivePassword(Number((c as SizedInt).v), t as string, p as string, u as string, s as string),
      ),
    ],
    [
      "htpasswd",
      goFunc(
        ["string", "string"],
        (u, p, ...alg) => htpasswd(u as string, p as string, (alg[0] as string | undefined) ?? "bcrypt"),
        "string",
      ),
    ],
    ["buildCustomCert", goFunc(["string", "string"], (c, k) => buildCustomCert(c as string, k as string))],
  ];
}
