/**
 * The one reader of packaged Helm charts (`helm package` → gzip'd tar): an
 * uploaded chart, and every `charts/*.tgz` subchart inside a chart. Charts
 * are tenant input, so the reader is strict and bounded:
 *
 * 1. An archive's compressed size is checked before anything is inflated.
 * 2. Inflation stops as soon as the chart's uncompressed total passes the
 *    limit (a gzip bomb costs at most the limit, not the bomb's size). The
 *    total and the entry count are shared by a chart and all its subchart
 *    archives (`ArchiveBudget`), so nesting cannot multiply them.
 * 3. Tar headers are parsed as the bytes arrive; the entry count is checked
 *    per header, and each file's declared size before its data is read.
 * 4. Only regular files and directories are accepted; links, devices and
 *    FIFOs, absolute paths and `..` segments are refused with the entry named.
 * 5. Like Helm's loader, every entry must sit under one top-level directory,
 *    which is stripped: the result maps `Chart.yaml`, `templates/x.yaml`, ….
 * 6. Subcharts may nest only so deep (the loader asks `ArchiveBudget.subchart`).
 *
 * Nothing touches the file system.
 */
import { createGunzip, gunzipSync } from "node:zlib";

export const MiB = 1024 * 1024;

export interface ArchiveLimits {
  /** One archive as stored: the upload, or one subchart `.tgz` inside it. */
  maxCompressedBytes: number;
  /** Inflated bytes of a chart and all its subchart archives together. */
  maxUncompressedBytes: number;
  /** Entries of a chart and all its subchart archives together. */
  maxEntries: number;
  /** Any one file, inflated (Helm's own loader caps files at 5 MiB too). */
  maxFileBytes: number;
  /** Levels of subcharts within subcharts below the chart itself. */
  maxNestingDepth: number;
}

export const CHART_ARCHIVE_LIMITS: ArchiveLimits = {
  maxCompressedBytes: 10 * MiB,
  maxUncompressedBytes: 50 * MiB,
  maxEntries: 2_000,
  maxFileBytes: 5 * MiB,
  maxNestingDepth: 5,
};

export type ArchiveRejection =
  | "compressed_too_large"
  | "uncompressed_too_large"
  | "file_too_large"
  | "too_many_entries"
  | "nesting_too_deep"
  | "not_gzip"
  | "corrupt"
  | "absolute_path"
  | "path_traversal"
  | "symlink"
  | "hardlink"
  | "device"
  | "unsupported_entry"
  | "no_chart_directory";

/** Rejections that are about size (HTTP 413); the rest are about content (422). */
export const SIZE_REJECTIONS: ReadonlySet<ArchiveRejection> = new Set([
  "compressed_too_large",
  "uncompressed_too_large",
  "file_too_large",
  "too_many_entries",
]);

export class ChartArchiveError extends Error {
  override readonly name = "ChartArchiveError";
  constructor(
    readonly reason: ArchiveRejection,
    message: string,
    /** The offending entry's path as written in the archive. */
    readonly entry?: string,
  ) {
    super(message);
  }
}

export interface ExtractedChart {
  /** The top-level directory of the archive (normally the chart's name). */
  root: string;
  /** Files by path relative to the chart directory, `/`-separated. */
  files: Map<string, Uint8Array>;
}

const BLOCK = 512;

const formatMiB = (bytes: number) => `${Math.round((bytes / MiB) * 10) / 10} MiB`;

/**
 * What a chart may still inflate and unpack: one budget is shared by a chart
 * and every subchart archive below it, each level knowing its depth.
 */
export class ArchiveBudget {
  private constructor(
    readonly limits: ArchiveLimits,
    private readonly spent: { bytes: number; entries: number },
    /** 0 for the chart itself, 1 for its subcharts, …. */
    readonly depth: number,
  ) {}

  /** A fresh budget for reading a chart archive. */
  static forChart(limits: ArchiveLimits = CHART_ARCHIVE_LIMITS): ArchiveBudget {
    return new ArchiveBudget(limits, { bytes: 0, entries: 0 }, 0);
  }

  /** A budget that has already spent what a chart's (already extracted) files take. */
  static forFiles(
    files: ReadonlyMap<string, Uint8Array>,
    limits: ArchiveLimits = CHART_ARCHIVE_LIMITS,
  ): ArchiveBudget {
    const budget = ArchiveBudget.forChart(limits);
    for (const [path, data] of files) {
      budget.entry(path);
      budget.file(path, data.byteLength);
      budget.inflate(data.byteLength);
    }
    return budget;
  }

  /** The budget for a subchart of this chart: same totals, one level deeper. */
  subchart(): ArchiveBudget {
    const depth = this.depth + 1;
    if (depth > this.limits.maxNestingDepth) {
      throw new ChartArchiveError(
        "nesting_too_deep",
        `Subcharts may nest at most ${this.limits.maxNestingDepth} levels deep.`,
      );
    }
    return new ArchiveBudget(this.limits, this.spent, depth);
  }

  get remainingBytes(): number {
    return Math.max(0, this.limits.maxUncompressedBytes - this.spent.bytes);
  }

  inflate(bytes: number): void {
    this.spent.bytes += bytes;
    if (this.spent.bytes > this.limits.maxUncompressedBytes) this.tooLarge();
  }

  entry(path: string): void {
    this.spent.entries += 1;
    if (this.spent.entries > this.limits.maxEntries) {
      throw new ChartArchiveError(
        "too_many_entries",
        `The archive has more than ${this.limits.maxEntries} entries.`,
        path,
      );
    }
  }

  /** A file's size, checked before its data is read. */
  file(path: string, size: number): void {
    if (size > this.limits.maxUncompressedBytes) this.tooLarge();
    if (size > this.limits.maxFileBytes) {
      throw new ChartArchiveError(
        "file_too_large",
        `Entry "${path}" is larger than ${formatMiB(this.limits.maxFileBytes)} uncompressed; chart files may be at most that.`,
        path,
      );
    }
  }

  tooLarge(): never {
    throw new ChartArchiveError(
      "uncompressed_too_large",
      `The chart is larger than ${formatMiB(this.limits.maxUncompressedBytes)} uncompressed.`,
    );
  }
}

/** Reads a NUL-terminated ASCII/UTF-8 field of a tar header. */
function text(header: Buffer, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString("utf8");
}

/** Numeric header field: octal text, or GNU base-256 when the high bit is set. */
function numeric(header: Buffer, offset: number, length: number): number {
  const field = header.subarray(offset, offset + length);
  if (field[0] !== undefined && (field[0] & 0x80) !== 0) {
    // Base-256: big-endian two's complement with the marker bit cleared. Negative is corrupt.
    if ((field[0] & 0x40) !== 0) return Number.NaN;
    let value = field[0] & 0x3f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const digits = text(header, offset, length).trim();
  if (digits === "") return 0;
  if (!/^[0-7]+$/.test(digits)) return Number.NaN;
  return Number.parseInt(digits, 8);
}

function checksumMatches(header: Buffer): boolean {
  const stored = numeric(header, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** PAX extended header records: "<len> <key>=<value>\n". */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number.parseInt(data.subarray(offset, space).toString("ascii"), 10);
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length) {
      throw new ChartArchiveError("corrupt", "The archive has a malformed PAX header.");
    }
    const record = data.subarray(space + 1, offset + length - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    offset += length;
  }
  return records;
}

/**
 * Splits an entry path into safe segments, or throws naming the entry.
 * Backslashes count as separators so a Windows-made `..\\x` is caught too.
 */
export function safeSegments(path: string): string[] {
  if (path.includes("\0"))
    throw new ChartArchiveError("corrupt", `Entry "${path}" has a NUL byte in its name.`, path);
  if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path)) {
    throw new ChartArchiveError(
      "absolute_path",
      `Entry "${path}" has an absolute path; chart archives hold relative paths only.`,
      path,
    );
  }
  const segments = path.split(/[/\\]+/).filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) {
    throw new ChartArchiveError(
      "path_traversal",
      `Entry "${path}" contains "..", which would escape the chart directory.`,
      path,
    );
  }
  return segments;
}

/** Byte queue over incoming chunks, so headers and file data can be taken as they complete. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Removes and returns the first `n` bytes (caller checks `length >= n`). */
  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[0];
      if (!chunk) throw new Error("ByteQueue underflow");
      const available = chunk.length - this.head;
      const count = Math.min(available, n - written);
      chunk.copy(out, written, this.head, this.head + count);
      written += count;
      this.head += count;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.length -= n;
    return out;
  }
}

interface PendingEntry {
  type: "file" | "directory" | "pax" | "pax-global" | "gnu-longname" | "gnu-longlink";
  path: string;
  size: number;
}

/** Incremental tar parser: feed it inflated bytes, it enforces the limits as it goes. */
class TarReader {
  private queue = new ByteQueue();
  private entry: PendingEntry | undefined;
  private nextPath: string | undefined;
  private ended = false;
  readonly files = new Map<string, Uint8Array>();
  private roots = new Set<string>();

  constructor(private readonly budget: ArchiveBudget) {}

  get finished(): boolean {
    return this.ended;
  }

  push(chunk: Buffer): void {
    if (this.ended) return; // Padding after the end-of-archive blocks is ignored.
    this.queue.push(chunk);
    for (;;) {
      if (this.entry) {
        const padded = Math.ceil(this.entry.size / BLOCK) * BLOCK;
        if (this.queue.length < padded) return;
        const data = this.queue.take(padded).subarray(0, this.entry.size);
        this.complete(this.entry, data);
        this.entry = undefined;
      } else {
        if (this.queue.length < BLOCK) return;
        const header = this.queue.take(BLOCK);
        if (header.every((b) => b === 0)) {
          // End of archive (two zero blocks; one is enough to stop reading).
          this.ended = true;
          return;
        }
        this.entry = this.header(header);
        if (this.entry.size === 0) {
          this.complete(this.entry, Buffer.alloc(0));
          this.entry = undefined;
        }
      }
    }
  }

  /** After the input ended: anything half-read means the archive was cut short. */
  finish(): void {
    if (this.entry || (this.queue.length > 0 && !this.ended)) {
      throw new ChartArchiveError("corrupt", "The archive is truncated (it ends inside an entry).");
    }
  }

  private header(header: Buffer): PendingEntry {
    if (!checksumMatches(header)) {
      throw new ChartArchiveError(
        "corrupt",
        "The archive is not a valid tar file (header checksum mismatch).",
      );
    }
    const name = text(header, 0, 100);
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const magic = text(header, 257, 6);
    const prefix = magic === "ustar" ? text(header, 345, 155) : "";
    const size = numeric(header, 124, 12);
    if (!Number.isFinite(size) || size < 0) {
      throw new ChartArchiveError("corrupt", `Entry "${name}" has an invalid size field.`, name);
    }
    const path = this.nextPath ?? (prefix ? `${prefix}/${name}` : name);
    this.nextPath = undefined;

    const meta = (type: PendingEntry["type"]): PendingEntry => {
      // Metadata blocks are small; a huge one is an attack on memory, not a chart.
      if (size > 1 * MiB)
        throw new ChartArchiveError("corrupt", "The archive has an oversized metadata header.");
      return { type, path, size };
    };
    switch (typeflag) {
      case "x":
        return meta("pax");
      case "g":
        return meta("pax-global");
      case "L":
        return meta("gnu-longname");
      case "K":
        return meta("gnu-longlink");
    }

    this.budget.entry(path);
    safeSegments(path); // Path checks come before the type checks, as both name the entry.
    switch (typeflag) {
      case "0":
      case "\0":
      case "7":
        this.budget.file(path, size);
        return { type: "file", path, size };
      case "5":
        return { type: "directory", path, size: 0 };
      case "1":
        throw new ChartArchiveError(
          "hardlink",
          `Entry "${path}" is a hard link; chart archives may hold regular files and directories only.`,
          path,
        );
      case "2":
        throw new ChartArchiveError(
          "symlink",
          `Entry "${path}" is a symbolic link; chart archives may hold regular files and directories only.`,
          path,
        );
      case "3":
      case "4":
      case "6":
        throw new ChartArchiveError(
          "device",
          `Entry "${path}" is a ${typeflag === "6" ? "FIFO" : "device file"}; chart archives may hold regular files and directories only.`,
          path,
        );
      default:
        throw new ChartArchiveError(
          "unsupported_entry",
          `Entry "${path}" has an unsupported tar entry type "${typeflag}".`,
          path,
        );
    }
  }

  private complete(entry: PendingEntry, data: Buffer): void {
    switch (entry.type) {
      case "pax": {
        const records = paxRecords(data);
        const path = records.get("path");
        if (path !== undefined) this.nextPath = path;
        return;
      }
      case "gnu-longname":
        this.nextPath = data.toString("utf8").replace(/\0+$/, "");
        return;
      case "pax-global":
      case "gnu-longlink":
        return;
      case "directory":
        this.place(entry.path, undefined);
        return;
      case "file":
        this.place(entry.path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        return;
    }
  }

  private place(path: string, data: Uint8Array | undefined): void {
    const [root, ...rest] = safeSegments(path);
    if (root === undefined) return; // "./" itself
    this.roots.add(root);
    if (this.roots.size > 1) {
      throw new ChartArchiveError(
        "no_chart_directory",
        `The archive must hold one top-level chart directory (as "helm package" writes it); found "${[...this.roots].join('", "')}".`,
        path,
      );
    }
    if (data === undefined) return;
    if (rest.length === 0) {
      throw new ChartArchiveError(
        "no_chart_directory",
        `Entry "${path}" is outside a chart directory; package the chart with "helm package" (files go under <chart-name>/).`,
        path,
      );
    }
    // A later entry for the same path replaces the earlier one, as tar extraction would.
    this.files.set(rest.join("/"), data);
  }

  result(): ExtractedChart {
    this.finish();
    const root = [...this.roots][0];
    if (root === undefined || this.files.size === 0) {
      throw new ChartArchiveError("no_chart_directory", "The archive holds no chart files.");
    }
    return { root, files: this.files };
  }
}

/** The checks made before inflating anything. */
function checkCompressed(archive: Uint8Array, limits: ArchiveLimits): Buffer {
  if (archive.byteLength > limits.maxCompressedBytes) {
    throw new ChartArchiveError(
      "compressed_too_large",
      `The chart archive is larger than ${formatMiB(limits.maxCompressedBytes)}.`,
    );
  }
  if (archive.byteLength < 2 || archive[0] !== 0x1f || archive[1] !== 0x8b) {
    throw new ChartArchiveError(
      "not_gzip",
      'The file is not a gzip-compressed chart archive (.tgz); package the chart with "helm package".',
    );
  }
  return Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
}

const corrupt = (error: unknown) =>
  new ChartArchiveError(
    "corrupt",
    `The chart archive could not be decompressed (${error instanceof Error ? error.message : String(error)}).`,
  );

/**
 * Inflates and unpacks an uploaded (or stored) `.tgz` within the limits,
 * streaming so the event loop is not held while a large archive inflates.
 * Throws ChartArchiveError.
 */
export async function extractChartArchive(
  archive: Uint8Array,
  limits: ArchiveLimits = CHART_ARCHIVE_LIMITS,
): Promise<ExtractedChart> {
  const input = checkCompressed(archive, limits);
  const budget = ArchiveBudget.forChart(limits);
  const reader = new TarReader(budget);
  const gunzip = createGunzip();
  gunzip.end(input);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      budget.inflate(chunk.length);
      reader.push(chunk);
      if (reader.finished) break;
    }
  } catch (error) {
    if (error instanceof ChartArchiveError) throw error;
    throw corrupt(error);
  } finally {
    gunzip.destroy();
  }
  return reader.result();
}

/**
 * The same reader for the chart loader, which is synchronous: a chart or
 * subchart `.tgz`, within the budget of the chart that holds it. zlib stops
 * inflating once the output passes what the budget has left.
 */
export function extractChartArchiveSync(archive: Uint8Array, budget: ArchiveBudget): ExtractedChart {
  const input = checkCompressed(archive, budget.limits);
  let tar: Buffer;
  try {
    tar = gunzipSync(input, { maxOutputLength: Math.max(1, budget.remainingBytes) });
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") budget.tooLarge();
    throw corrupt(error);
  }
  budget.inflate(tar.length);
  const reader = new TarReader(budget);
  reader.push(tar);
  return reader.result();
}
