import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadChartArchive } from "./chart";
import { ArchiveError, readTar } from "./archive";

function tar(entries: { name: string; data: string; type?: string }[]): Uint8Array {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data);
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100);
    h.write("0000644\0", 100);
    h.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
    h.write((e.type ?? "0"), 156);
    h.write("ustar\0", 257);
    h.write("        ", 148);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return new Uint8Array(gzipSync(Buffer.concat(blocks)));
}

describe("tar reader", () => {
  it("reads regular files from a gzipped tar and skips directories", () => {
    const files = readTar(tar([{ name: "c/", data: "", type: "5" }, { name: "c/Chart.yaml", data: "name: c" }, { name: "./c/a.txt", data: "hi" }]));
    expect(files.map((f) => [f.name, Buffer.from(f.data).toString()])).toEqual([
      ["c/Chart.yaml", "name: c"],
      ["c/a.txt", "hi"],
    ]);
  });

  it("rejects absolute paths and parent references", () => {
    expect(() => readTar(tar([{ name: "/etc/passwd", data: "x" }]))).toThrow(ArchiveError);
    expect(() => readTar(tar([{ name: "c/../../x", data: "x" }]))).toThrow(/parent directory/);
  });

  it("loads a packaged chart", () => {
    const tgz = readFileSync(
      path.join(import.meta.dirname, "../conformance-data/helm/cases/template-chart-with-template-lib-archive-dep/chart/charts/common-0.0.5.tgz"),
    );
    const c = loadChartArchive(new Uint8Array(tgz));
    expect(c.name).toBe("common");
    expect(c.templates.some((t) => t.name === "templates/_util.tpl")).toBe(true);
  });

  it("builds a chart from an archive made in memory", () => {
    const c = loadChartArchive(
      tar([
        { name: "demo/Chart.yaml", data: "apiVersion: v2\nname: demo\nversion: 0.1.0\n" },
        { name: "demo/values.yaml", data: "num: 3\n" },
        { name: "demo/templates/cm.yaml", data: "x: {{ .Values.num }}" },
      ]),
    );
    expect(c.metadata.version).toBe("0.1.0");
    expect(c.values.get("num")).toBe(3);
  });
});
