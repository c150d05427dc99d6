/** Minimal tar (+gzip) reader for chart archives; rejects absolute and parent-relative paths. */
import { gunzipSync } from "node:zlib";

export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArchiveError";
  }
}

export interface TarEntry {
  name: string;
  data: Uint8Array;
}

function cstr(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return Buffer.from(b.subarray(off, end)).toString("utf8");
}

function octal(b: Uint8Array, off: number, len: number): number {
  // GNU base-256 encoding for large sizes.
  if (((b[off] ?? 0) & 0x80) !== 0) {
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + (b[i] ?? 0);
    return n;
  }
  const s = cstr(b, off, len).trim();
  return s === "" ? 0 : parseInt(s, 8);
}

function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const text = Buffer.from(data).toString("utf8");
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(" ", i);
    if (sp < 0) break;
    const len = Number(text.slice(i, sp));
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf("=");
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/** Validates and normalises an archive entry path ("./a/b" → "a/b"). */
export function safeEntryPath(name: string): string {
  const n = name.replace(/\\/g, "/");
  if (n.startsWith("/") || /^[A-Za-z]:/.test(n)) throw new ArchiveError(`chart illegally contains absolute paths: ${name}`);
  const parts = n.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new ArchiveError(`chart illegally references parent directory: ${name}`);
  return parts.join("/");
}

/** Read regular files from a tar stream (optionally gzip-compressed). */
export function readTar(input: Uint8Array): TarEntry[] {
  let buf = input;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = new Uint8Array(gunzipSync(buf));
    } catch (e) {
      throw new ArchiveError(`gzip: invalid archive: ${(e as Error).message}`);
    }
  }
  const entries: TarEntry[] = [];
  let off = 0;
  let longName: string | undefined;
  let pax: Map<string, string> | undefined;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] ?? 0);
    const magic = cstr(h, 257, 6);
    let name = cstr(h, 0, 100);
    if (magic.startsWith("ustar")) {
      const prefix = cstr(h, 345, 155);
      if (prefix) name = prefix + "/" + name;
    }
    const dataStart = off + 512;
    if (dataStart + size > buf.length) throw new ArchiveError("archive/tar: unexpected EOF");
    const data = buf.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = cstr(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      pax = parsePax(data);
      continue;
    }
    if (type === "g") continue;
    if (longName !== undefined) name = longName;
    const paxPath = pax?.get("path");
    if (paxPath) name = paxPath;
    longName = undefined;
    pax = undefined;
    if (type !== "0" && type !== "\0" && type !== "7") continue;
    entries.push({ name: safeEntryPath(name), data: new Uint8Array(data) });
  }
  return entries;
}
