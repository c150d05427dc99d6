import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  ArchiveBudget,
  CHART_ARCHIVE_LIMITS,
  ChartArchiveError,
  extractChartArchive,
  extractChartArchiveSync,
  MiB,
  type ArchiveLimits,
} from "./archive";
import { ChartError, loadChartArchive, loadChartFiles } from "./chart";

// ---------------------------------------------------------------------------
// A small ustar writer that can also write what `helm package` never does
// (links, devices, `..`), so the refusals can be tested.

interface Entry {
  path: string;
  content?: string | Uint8Array;
  /** Tar typeflag: "0" file (default), "1" hard link, "2" symlink, "3"/"4" devices, "5" directory, "6" FIFO. */
  type?: string;
  linkname?: string;
}

function header(name: string, size: number, type: string, linkname = ""): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, "utf8");
  block.write("0000644\0", 100, "ascii");
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "ascii");
  block.write("        ", 148, "ascii");
  block.write(type, 156, "ascii");
  block.write(linkname, 157, 100, "utf8");
  block.write("ustar\0", 257, "ascii");
  block.write("00", 263, "ascii");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return block;
}

const pad = (data: Buffer) => [data, Buffer.alloc((512 - (data.length % 512)) % 512)];

function tar(entries: readonly Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.content ?? "");
    let name = entry.path;
    if (Buffer.byteLength(name) > 100) {
      const body = ` path=${name}\n`;
      let length = Buffer.byteLength(body) + 2;
      while (String(length).length + Buffer.byteLength(body) !== length) length += 1;
      const record = Buffer.from(`${length}${body}`);
      parts.push(header("PaxHeader", record.length, "x"), ...pad(record));
      name = name.slice(0, 99);
    }
    parts.push(header(name, data.length, entry.type ?? "0", entry.linkname), ...pad(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const tgz = (entries: readonly Entry[]) => gzipSync(tar(entries));

const chartYaml = (name: string) => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;

/** A packaged chart `name-0.1.0.tgz` holding Chart.yaml, a template and the given entries. */
const packaged = (name: string, extra: Entry[] = []) =>
  tgz([
    { path: `${name}/Chart.yaml`, content: chartYaml(name) },
    { path: `${name}/templates/cm.yaml`, content: "kind: ConfigMap\n" },
    ...extra,
  ]);

/** `count` files of zeros, `size` bytes each: megabytes inflated from a few kilobytes. */
const zeros = (dir: string, count: number, size: number): Entry[] =>
  Array.from({ length: count }, (_, i) => ({ path: `${dir}/blob-${i}`, content: new Uint8Array(size) }));

const demo = (extra: Entry[] = []): Entry[] => [
  { path: "demo/", type: "5" },
  { path: "demo/Chart.yaml", content: chartYaml("demo") },
  { path: "demo/templates/cm.yaml", content: "kind: ConfigMap\n" },
  ...extra,
];

async function rejection(archive: Uint8Array, limits?: ArchiveLimits): Promise<ChartArchiveError> {
  const error = await extractChartArchive(archive, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChartArchiveError);
  return error as ChartArchiveError;
}

function thrown(load: () => unknown): Error {
  try {
    load();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the load to fail");
}

const small: ArchiveLimits = {
  maxCompressedBytes: MiB,
  maxUncompressedBytes: 64 * 1024,
  maxEntries: 100,
  maxFileBytes: 48 * 1024,
  maxNestingDepth: 5,
};

// ---------------------------------------------------------------------------

describe("extractChartArchive (uploads)", () => {
  it("unpacks a helm-package style archive, stripping the chart directory", async () => {
    const { root, files } = await extractChartArchive(tgz(demo()));
    expect(root).toBe("demo");
    expect([...files.keys()].sort()).toEqual(["Chart.yaml", "templates/cm.yaml"]);
    expect(new TextDecoder().decode(files.get("Chart.yaml"))).toBe(chartYaml("demo"));
  });

  it("reads long names from PAX headers and ignores ./ prefixes", async () => {
    const deep = `demo/templates/${"nested/".repeat(20)}deep.yaml`;
    const { files } = await extractChartArchive(
      tgz([
        { path: "./demo/Chart.yaml", content: chartYaml("demo") },
        { path: deep, content: "x" },
      ]),
    );
    expect(files.has(deep.slice("demo/".length))).toBe(true);
    expect(files.has("Chart.yaml")).toBe(true);
  });

  it("refuses an archive over the compressed limit before inflating it", async () => {
    const archive = tgz(demo());
    const error = await rejection(archive, { ...small, maxCompressedBytes: archive.length - 1 });
    expect(error.reason).toBe("compressed_too_large");
  });

  it("stops inflating a gzip bomb at the uncompressed limit", async () => {
    // 64 MiB of zeros in files under the per-file cap compresses to ~64 KiB.
    const bomb = tgz(demo(zeros("demo/files", 16, 4 * MiB)));
    expect(bomb.length).toBeLessThan(1 * MiB);
    const error = await rejection(bomb);
    expect(error.reason).toBe("uncompressed_too_large");
    expect(error.message).toBe("The chart is larger than 50 MiB uncompressed.");
  });

  it("refuses a file whose declared size is over the limits before reading it", async () => {
    const error = await rejection(tgz(demo([{ path: "demo/big", content: new Uint8Array(16 * 1024) }])), {
      ...small,
      maxUncompressedBytes: 8 * 1024,
    });
    expect(error.reason).toBe("uncompressed_too_large");

    const file = await rejection(tgz(demo([{ path: "demo/big", content: new Uint8Array(6 * MiB) }])));
    expect(file.reason).toBe("file_too_large");
    expect(file.entry).toBe("demo/big");
    expect(file.message).toBe(
      'Entry "demo/big" is larger than 5 MiB uncompressed; chart files may be at most that.',
    );
  });

  it("refuses more entries than allowed", async () => {
    const many = Array.from({ length: 2001 }, (_, i) => ({ path: `demo/templates/f${i}.yaml`, content: "" }));
    const error = await rejection(tgz(many));
    expect(error.reason).toBe("too_many_entries");
    expect(error.message).toBe("The archive has more than 2000 entries.");
  });

  it.each([
    [
      "an absolute path",
      { path: "/etc/passwd", content: "x" },
      "absolute_path",
      'Entry "/etc/passwd" has an absolute path',
    ],
    [
      "a .. segment",
      { path: "demo/../../evil.yaml", content: "x" },
      "path_traversal",
      'Entry "demo/../../evil.yaml" contains ".."',
    ],
    ["a Windows-style .. segment", { path: "demo\\..\\evil", content: "x" }, "path_traversal", "contains"],
    ["a drive-letter path", { path: "C:/evil", content: "x" }, "absolute_path", "absolute path"],
    [
      "a symbolic link",
      { path: "demo/link", type: "2", linkname: "/etc/passwd" },
      "symlink",
      'Entry "demo/link" is a symbolic link',
    ],
    [
      "a hard link",
      { path: "demo/hard", type: "1", linkname: "demo/Chart.yaml" },
      "hardlink",
      'Entry "demo/hard" is a hard link',
    ],
    ["a character device", { path: "demo/tty", type: "3" }, "device", 'Entry "demo/tty" is a device file'],
    ["a block device", { path: "demo/sda", type: "4" }, "device", "device file"],
    ["a FIFO", { path: "demo/pipe", type: "6" }, "device", 'Entry "demo/pipe" is a FIFO'],
  ] as const)("refuses %s, naming the entry", async (_, entry, reason, message) => {
    const error = await rejection(tgz(demo([entry])));
    expect(error.reason).toBe(reason);
    expect(error.entry).toBe(entry.path);
    expect(error.message).toContain(message);
  });

  it("refuses a file that is not gzip", async () => {
    expect((await rejection(tar(demo()))).reason).toBe("not_gzip");
  });

  it("refuses gzip that does not hold a tar", async () => {
    const error = await rejection(gzipSync(Buffer.from("just some text, not a tar file".repeat(40))));
    expect(error.reason).toBe("corrupt");
  });

  it("refuses a truncated archive", async () => {
    const whole = tar(demo([{ path: "demo/values.yaml", content: "a: 1\n".repeat(400) }]));
    const error = await rejection(gzipSync(whole.subarray(0, 1536 + 700)));
    expect(error.reason).toBe("corrupt");
    expect(error.message).toContain("truncated");
  });

  it("refuses files outside one chart directory", async () => {
    expect((await rejection(tgz([{ path: "Chart.yaml", content: chartYaml("demo") }]))).reason).toBe(
      "no_chart_directory",
    );
    const twoRoots = await rejection(
      tgz([...demo(), { path: "other/Chart.yaml", content: chartYaml("other") }]),
    );
    expect(twoRoots.reason).toBe("no_chart_directory");
    expect(twoRoots.message).toContain('"demo", "other"');
  });

  it("refuses an empty archive", async () => {
    expect((await rejection(tgz([]))).reason).toBe("no_chart_directory");
  });
});

describe("extractChartArchiveSync (the loader's reader)", () => {
  it("reads what the streaming reader reads", async () => {
    const archive = tgz(demo([{ path: "demo/values.yaml", content: "a: 1\n" }]));
    const sync = extractChartArchiveSync(archive, ArchiveBudget.forChart());
    expect(sync).toEqual(await extractChartArchive(archive));
  });

  it("stops inflating at what the budget has left", () => {
    const budget = ArchiveBudget.forChart(small);
    budget.inflate(60 * 1024);
    const error = thrown(() =>
      extractChartArchiveSync(packaged("sub", zeros("sub/files", 1, 8 * 1024)), budget),
    );
    expect(error).toBeInstanceOf(ChartArchiveError);
    expect((error as ChartArchiveError).reason).toBe("uncompressed_too_large");
  });
});

describe("subcharts go through the same limited reader", () => {
  /** A parent chart's files holding `charts/<file>` subchart archives. */
  const parent = (subcharts: Record<string, Uint8Array>) =>
    new Map<string, Uint8Array>([
      ["Chart.yaml", new TextEncoder().encode(chartYaml("parent"))],
      ...Object.entries(subcharts).map(([file, data]): [string, Uint8Array] => [`charts/${file}`, data]),
    ]);

  it("loads a packaged subchart", () => {
    const chart = loadChartFiles(parent({ "sub-0.1.0.tgz": packaged("sub") }));
    expect(chart.dependencies.map((d) => d.name)).toEqual(["sub"]);
  });

  it("refuses a gzip bomb subchart while inflating it, naming the file", () => {
    // 64 MiB of zeros (each file under the 5 MiB cap) in a subchart archive of ~64 KiB.
    const bomb = packaged("bomb", zeros("bomb/files", 16, 4 * MiB));
    expect(bomb.length).toBeLessThan(1 * MiB);
    const error = thrown(() => loadChartFiles(parent({ "bomb-0.1.0.tgz": bomb })));
    expect(error).toBeInstanceOf(ChartError);
    expect(error.message).toBe(
      "error unpacking subchart bomb-0.1.0.tgz in parent: The chart is larger than 50 MiB uncompressed.",
    );
  });

  /** level1 holds level2 holds … level`depth`, each a packaged subchart. */
  const nested = (depth: number) => {
    let archive = packaged(`level${depth}`);
    for (let level = depth - 1; level >= 1; level--) {
      archive = packaged(`level${level}`, [
        { path: `level${level}/charts/level${level + 1}-0.1.0.tgz`, content: archive },
      ]);
    }
    return parent({ "level1-0.1.0.tgz": archive });
  };

  it("refuses subcharts nested too deep, naming each level", () => {
    const max = CHART_ARCHIVE_LIMITS.maxNestingDepth;
    expect(() => loadChartFiles(nested(max))).not.toThrow();
    const error = thrown(() => loadChartFiles(nested(max + 1)));
    expect(error).toBeInstanceOf(ChartError);
    expect(error.message).toBe(
      "error unpacking subchart level1-0.1.0.tgz in parent: " +
        "error unpacking subchart level2-0.1.0.tgz in level1: " +
        "error unpacking subchart level3-0.1.0.tgz in level2: " +
        "error unpacking subchart level4-0.1.0.tgz in level3: " +
        "error unpacking subchart level5-0.1.0.tgz in level4: " +
        "error unpacking subchart level6-0.1.0.tgz in level5: " +
        "Subcharts may nest at most 5 levels deep.",
    );
  });

  it("counts directory subcharts as levels too", () => {
    const files = new Map<string, Uint8Array>([
      ["Chart.yaml", new TextEncoder().encode(chartYaml("parent"))],
    ]);
    let prefix = "";
    for (let level = 1; level <= CHART_ARCHIVE_LIMITS.maxNestingDepth + 1; level++) {
      prefix += `charts/d${level}/`;
      files.set(`${prefix}Chart.yaml`, new TextEncoder().encode(chartYaml(`d${level}`)));
    }
    expect(thrown(() => loadChartFiles(files)).message).toMatch(
      /^error unpacking subchart d1 in parent: .*error unpacking subchart d6 in d5: Subcharts may nest at most 5 levels deep\.$/,
    );
  });

  it.each([
    [
      "a .. entry",
      { path: "sub/../../evil.yaml", content: "x" },
      'Entry "sub/../../evil.yaml" contains "..", which would escape the chart directory.',
    ],
    [
      "an absolute path",
      { path: "/etc/cron.d/evil", content: "x" },
      'Entry "/etc/cron.d/evil" has an absolute path',
    ],
    [
      "a symbolic link",
      { path: "sub/templates/link", type: "2", linkname: "/etc/passwd" },
      'Entry "sub/templates/link" is a symbolic link',
    ],
  ] as const)("refuses %s inside a subchart, naming the subchart and the entry", (_, entry, message) => {
    const error = thrown(() => loadChartFiles(parent({ "sub-0.1.0.tgz": packaged("sub", [entry]) })));
    expect(error).toBeInstanceOf(ChartError);
    expect(error.message).toContain(`error unpacking subchart sub-0.1.0.tgz in parent: ${message}`);
  });

  it("counts the size and entries of the chart and all its subcharts together", () => {
    // Each subchart fits on its own (40 KiB of a 64 KiB budget); the two together do not.
    const one = packaged("one", zeros("one/files", 1, 40 * 1024));
    const two = packaged("two", zeros("two/files", 1, 40 * 1024));
    expect(() =>
      loadChartArchive(packaged("solo", [{ path: "solo/charts/one-0.1.0.tgz", content: one }]), small),
    ).not.toThrow();
    const both = packaged("both", [
      { path: "both/charts/one-0.1.0.tgz", content: one },
      { path: "both/charts/two-0.1.0.tgz", content: two },
    ]);
    expect(thrown(() => loadChartArchive(both, small)).message).toBe(
      "error unpacking subchart two-0.1.0.tgz in both: The chart is larger than 0.1 MiB uncompressed.",
    );

    const entries = { ...small, maxUncompressedBytes: MiB, maxEntries: 6 };
    const few = packaged("few", [{ path: "few/charts/one-0.1.0.tgz", content: packaged("one") }]);
    expect(() => loadChartArchive(few, entries)).not.toThrow();
    const more = packaged("more", [
      { path: "more/charts/one-0.1.0.tgz", content: packaged("one") },
      { path: "more/charts/two-0.1.0.tgz", content: packaged("two") },
    ]);
    expect(thrown(() => loadChartArchive(more, entries)).message).toContain("more than 6 entries");
  });

  it("holds a chart loaded from files to the limits as well", () => {
    const files = new Map<string, Uint8Array>([
      ["Chart.yaml", new TextEncoder().encode(chartYaml("big"))],
      ["files/huge.bin", new Uint8Array(6 * MiB)],
    ]);
    const error = thrown(() => loadChartFiles(files));
    expect(error).toBeInstanceOf(ChartArchiveError);
    expect((error as ChartArchiveError).reason).toBe("file_too_large");
  });
});

describe("loadChartArchive", () => {
  it("loads a packaged chart", () => {
    const archive = readFileSync(
      path.join(
        import.meta.dirname,
        "../conformance-data/helm/cases/template-chart-with-template-lib-archive-dep/chart/charts/common-0.0.5.tgz",
      ),
    );
    const chart = loadChartArchive(new Uint8Array(archive));
    expect(chart.name).toBe("common");
    expect(chart.templates.some((t) => t.name === "templates/_util.tpl")).toBe(true);
  });

  it("builds a chart from an archive made in memory", () => {
    const chart = loadChartArchive(
      tgz([
        { path: "demo/Chart.yaml", content: chartYaml("demo") },
        { path: "demo/values.yaml", content: "num: 3\n" },
        { path: "demo/templates/cm.yaml", content: "x: {{ .Values.num }}" },
      ]),
    );
    expect(chart.metadata.version).toBe("0.1.0");
    expect(chart.values.get("num")).toBe(3);
  });
});
