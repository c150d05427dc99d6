/**
 * A small ustar writer: packages a chart directory the way `helm package`
 * does (`<chart>/…` inside a gzip'd tar) for tests, the e2e setup and demo
 * data, and builds deliberately bad archives (links, `..`, devices) that the
 * extraction tests need. Names longer than ustar allows get a PAX header.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

export type TarEntryType =
  "file" | "directory" | "symlink" | "hardlink" | "char-device" | "block-device" | "fifo";

export interface TarEntry {
  /** Written as given (no normalisation), so tests can write `../x` or `/etc/x`. */
  path: string;
  type?: TarEntryType;
  content?: Uint8Array | string;
  linkname?: string;
  mode?: number;
}

const TYPEFLAG: Record<TarEntryType, string> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  "char-device": "3",
  "block-device": "4",
  directory: "5",
  fifo: "6",
};

const BLOCK = 512;

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, "0") + "\0";
}

function header(name: string, type: string, size: number, mode: number, linkname = ""): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, "utf8");
  block.write(octal(mode, 8), 100, "ascii");
  block.write(octal(0, 8), 108, "ascii"); // uid
  block.write(octal(0, 8), 116, "ascii"); // gid
  block.write(octal(size, 12), 124, "ascii");
  // A fixed mtime keeps archives byte-identical between runs (stable sha256 in tests).
  block.write(octal(0, 12), 136, "ascii");
  block.write("        ", 148, "ascii"); // checksum placeholder
  block.write(type, 156, "ascii");
  block.write(linkname, 157, 100, "utf8");
  block.write("ustar\0", 257, "ascii");
  block.write("00", 263, "ascii");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + " ", 148, "ascii");
  return block;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % BLOCK;
  return rest === 0 ? [data] : [data, Buffer.alloc(BLOCK - rest)];
}

function paxHeader(name: string): Buffer[] {
  const record = (key: string, value: string) => {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    while (String(length).length + Buffer.byteLength(body) !== length) length += 1;
    return `${length}${body}`;
  };
  const data = Buffer.from(record("path", name), "utf8");
  return [header("PaxHeader", "x", data.length, 0o644), ...padded(data)];
}

/** An uncompressed tar of the entries, ending with the two zero blocks. */
export function packTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? "file";
    const data =
      type === "file"
        ? Buffer.from(typeof entry.content === "string" ? entry.content : (entry.content ?? new Uint8Array()))
        : Buffer.alloc(0);
    let name = entry.path;
    if (Buffer.byteLength(name) > 100) {
      parts.push(...paxHeader(name));
      name = name.slice(0, 99);
    }
    const mode = entry.mode ?? (type === "directory" ? 0o755 : 0o644);
    parts.push(header(name, TYPEFLAG[type], data.length, mode, entry.linkname));
    if (data.length > 0) parts.push(...padded(data));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

export function packTarGz(entries: readonly TarEntry[]): Buffer {
  return gzipSync(packTar(entries));
}

async function walk(dir: string, base: string): Promise<string[]> {
  const out: string[] = [];
  const items = await readdir(dir, { withFileTypes: true });
  items.sort((a, b) => a.name.localeCompare(b.name));
  for (const item of items) {
    const full = path.join(dir, item.name);
    const rel = path.posix.join(base, item.name);
    if (item.isDirectory()) out.push(...(await walk(full, rel)));
    else if (item.isFile()) out.push(rel);
  }
  return out;
}

/** `helm package` for a chart directory: `<name>/<file>` entries, gzip'd. */
export async function packChartDirectory(dir: string, name = path.basename(dir)): Promise<Buffer> {
  const files = await walk(dir, "");
  const entries: TarEntry[] = [];
  for (const file of files) {
    entries.push({ path: `${name}/${file}`, content: await readFile(path.join(dir, file)) });
  }
  return packTarGz(entries);
}
