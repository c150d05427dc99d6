import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { extractChartArchive } from "@/server/charts";
import { DEFAULT_RENDER_OPTIONS, type ChartFiles } from "./chart-validation";
import { RenderPool } from "./render-pool";
import { packChartDirectory } from "./tar-writer";

const MYCHART = path.resolve("src/server/charts/conformance-data/helm/create/mychart");
const enc = new TextEncoder();

function chart(template: string): ChartFiles {
  return new Map([
    ["Chart.yaml", enc.encode("apiVersion: v2\nname: hostile\nversion: 1.0.0\n")],
    ["templates/cm.yaml", enc.encode(template)],
  ]);
}

// Slow but inside every in-engine budget: only the pool's wall clock stops it.
const SLOW =
  '{{ range until 1000 }}{{ range until 999 }}{{ $x := printf "%d-%s" 1 "y" | sha256sum }}{{ end }}{{ end }}';

describe("RenderPool", () => {
  const pool = new RenderPool({ size: 2, timeoutMs: 400, memoryMb: 96 });
  afterAll(() => pool.close());

  it("renders on a worker thread, answering as the in-process renderer does", async () => {
    const { files } = await extractChartArchive(await packChartDirectory(MYCHART));
    const first = await pool.render(files, DEFAULT_RENDER_OPTIONS);
    expect(first.ok && first.manifests.map((m) => m.kind)).toEqual([
      "ServiceAccount",
      "Service",
      "Deployment",
      "Pod",
    ]);
    const broken = await pool.render(chart("a: {{ .Values.x.y }}\n"), DEFAULT_RENDER_OPTIONS);
    expect(!broken.ok && broken.errors[0]).toMatchObject({ file: "hostile/templates/cm.yaml", line: 1 });
  });

  it("stops a render at the wall-clock limit without blocking the event loop, then keeps working", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = Date.now();
    const result = await pool.render(chart(SLOW), DEFAULT_RENDER_OPTIONS);
    const elapsed = Date.now() - t0;
    clearInterval(timer);
    expect(!result.ok && result.errors[0]?.message).toMatch(/longer than 400 ms .*\(renderTimeoutMs\)/);
    expect(elapsed).toBeLessThan(3000);
    // The main thread kept turning while the worker spun: a 10 ms timer fired throughout.
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 10 / 4));
    expect(ticks).toBeGreaterThan(10);
    const after = await pool.render(chart("a: {{ 1 }}\n"), DEFAULT_RENDER_OPTIONS);
    expect(after.ok && after.manifests[0]?.content).toBe("a: 1");
  });

  it("stops a render that needs more memory than the worker's cap", async () => {
    // 2000 distinct 1 MB strings (upper flattens what repeat shares), each within maxStringBytes.
    const hog =
      '{{ $l := list }}{{ range until 2000 }}{{ $l = append $l (upper (repeat 1000000 "x")) }}{{ end }}a: {{ len $l }}\n';
    const big = new RenderPool({ size: 1, timeoutMs: 20_000, memoryMb: 64 });
    try {
      const result = await big.render(chart(hog), DEFAULT_RENDER_OPTIONS);
      expect(!result.ok && result.errors[0]?.message).toMatch(/more than 64 MB .*\(renderMemoryMb\)/);
      const after = await big.render(chart("a: {{ 2 }}\n"), DEFAULT_RENDER_OPTIONS);
      expect(after.ok).toBe(true);
    } finally {
      await big.close();
    }
  });

  it("queues renders beyond the pool size", async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => pool.render(chart(`a: {{ ${i} }}\n`), DEFAULT_RENDER_OPTIONS)),
    );
    expect(results.map((r) => r.ok && r.manifests[0]?.content)).toEqual([
      "a: 0",
      "a: 1",
      "a: 2",
      "a: 3",
      "a: 4",
    ]);
  });
});
