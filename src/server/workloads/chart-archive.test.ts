import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ChartArchiveError, extractChartArchive, MiB, type ArchiveLimits } from "./chart-archive";
import { packTar, packTarGz, type TarEntry } from "./tar-writer";

const CHART_YAML = "apiVersion: v2\nname: demo\nversion: 0.1.0\n";

const chart = (extra: TarEntry[] = []): TarEntry[] => [
  { path: "demo/", type: "directory" },
  { path: "demo/Chart.yaml", content: CHART_YAML },
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

describe("extractChartArchive", () => {
  it("unpacks a helm-package style archive, stripping the chart directory", async () => {
    const { root, files } = await extractChartArchive(packTarGz(chart()));
    expect(root).toBe("demo");
    expect([...files.keys()].sort()).toEqual(["Chart.yaml", "templates/cm.yaml"]);
    expect(new TextDecoder().decode(files.get("Chart.yaml"))).toBe(CHART_YAML);
  });

  it("reads long names from PAX headers and ignores ./ prefixes", async () => {
    const deep = `demo/templates/${"nested/".repeat(20)}deep.yaml`;
    const { files } = await extractChartArchive(
      packTarGz([
        { path: "./demo/Chart.yaml", content: CHART_YAML },
        { path: deep, content: "x" },
      ]),
    );
    expect(files.has(deep.slice("demo/".length))).toBe(true);
    expect(files.has("Chart.yaml")).toBe(true);
  });

  it("refuses an archive over the compressed limit before inflating it", async () => {
    const archive = packTarGz(chart());
    const error = await rejection(archive, {
      maxCompressedBytes: archive.length - 1,
      maxUncompressedBytes: MiB,
      maxEntries: 10,
    });
    expect(error.reason).toBe("compressed_too_large");
  });

  it("stops inflating a gzip bomb at the uncompressed limit", async () => {
    // 64 MiB of zeros inside one file compresses to ~64 KiB.
    const bomb = packTarGz([
      { path: "demo/Chart.yaml", content: CHART_YAML },
      { path: "demo/big", content: new Uint8Array(64 * MiB) },
    ]);
    expect(bomb.length).toBeLessThan(1 * MiB);
    const error = await rejection(bomb);
    expect(error.reason).toBe("uncompressed_too_large");
    expect(error.message).toContain("50 MiB uncompressed");
  });

  it("refuses an entry whose declared size is over the limit before reading it", async () => {
    const error = await rejection(
      packTarGz(chart([{ path: "demo/big", content: new Uint8Array(16 * 1024) }])),
      {
        maxCompressedBytes: MiB,
        maxUncompressedBytes: 1024 * 8,
        maxEntries: 100,
      },
    );
    expect(error.reason).toBe("uncompressed_too_large");
  });

  it("refuses more entries than allowed", async () => {
    const many = Array.from({ length: 2001 }, (_, i) => ({ path: `demo/templates/f${i}.yaml`, content: "" }));
    const error = await rejection(packTarGz(many));
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
      { path: "demo/link", type: "symlink", linkname: "/etc/passwd" },
      "symlink",
      'Entry "demo/link" is a symbolic link',
    ],
    [
      "a hard link",
      { path: "demo/hard", type: "hardlink", linkname: "demo/Chart.yaml" },
      "hardlink",
      'Entry "demo/hard" is a hard link',
    ],
    [
      "a character device",
      { path: "demo/tty", type: "char-device" },
      "device",
      'Entry "demo/tty" is a device file',
    ],
    ["a block device", { path: "demo/sda", type: "block-device" }, "device", "device file"],
    ["a FIFO", { path: "demo/pipe", type: "fifo" }, "device", 'Entry "demo/pipe" is a FIFO'],
  ] as const)("refuses %s, naming the entry", async (_, entry, reason, message) => {
    const error = await rejection(packTarGz(chart([entry])));
    expect(error.reason).toBe(reason);
    expect(error.entry).toBe(entry.path);
    expect(error.message).toContain(message);
  });

  it("refuses a file that is not gzip", async () => {
    const error = await rejection(packTar(chart()));
    expect(error.reason).toBe("not_gzip");
  });

  it("refuses gzip that does not hold a tar", async () => {
    const error = await rejection(gzipSync(Buffer.from("just some text, not a tar file".repeat(40))));
    expect(error.reason).toBe("corrupt");
  });

  it("refuses a truncated archive", async () => {
    const tar = packTar(chart([{ path: "demo/values.yaml", content: "a: 1\n".repeat(400) }]));
    const error = await rejection(gzipSync(tar.subarray(0, 1024 + 700)));
    expect(error.reason).toBe("corrupt");
    expect(error.message).toContain("truncated");
  });

  it("refuses files outside one chart directory", async () => {
    expect((await rejection(packTarGz([{ path: "Chart.yaml", content: CHART_YAML }]))).reason).toBe(
      "no_chart_directory",
    );
    const twoRoots = await rejection(
      packTarGz([...chart(), { path: "other/Chart.yaml", content: CHART_YAML }]),
    );
    expect(twoRoots.reason).toBe("no_chart_directory");
    expect(twoRoots.message).toContain('"demo", "other"');
  });

  it("refuses an empty archive", async () => {
    expect((await rejection(packTarGz([]))).reason).toBe("no_chart_directory");
  });
});
