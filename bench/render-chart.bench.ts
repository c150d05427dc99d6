/**
 * Chart rendering benchmark: `helm create` chart and a synthetic 200-template chart,
 * warm (parsed templates cached) versus cold (every render re-parses).
 * Run: npx tsx bench/render-chart.bench.ts
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { clearRenderCaches, loadChartFromFiles, renderChart, type Chart } from "../src/server/charts";
import { DEFAULT_RENDER_OPTIONS } from "../src/server/workloads/chart-validation";
import { renderInProcess } from "../src/server/workloads/render-core";
import { RenderPool } from "../src/server/workloads/render-pool";

function readDir(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.set(r, new Uint8Array(readFileSync(path.join(dir, r))));
    }
  };
  walk("");
  return out;
}

function syntheticChart(n: number): Chart {
  const enc = new TextEncoder();
  const files = new Map<string, Uint8Array>();
  files.set("Chart.yaml", enc.encode('apiVersion: v2\nname: synth\nversion: 1.0.0\nappVersion: "2.0"\n'));
  let values = "global:\n  env: prod\nitems:\n";
  for (let i = 0; i < 20; i++)
    values += `  - name: item-${i}\n    port: ${8000 + i}\n    enabled: ${i % 3 !== 0}\n`;
  values +=
    "labels:\n  team: edge\n  tier: backend\nresources:\n  limits:\n    cpu: 500m\n    memory: 256Mi\n";
  files.set("values.yaml", enc.encode(values));
  files.set(
    "templates/_helpers.tpl",
    enc.encode(
      '{{- define "synth.name" -}}{{ .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end }}\n' +
        '{{- define "synth.labels" -}}\napp: {{ include "synth.name" . }}\nrelease: {{ .Release.Name }}\n{{- with .Values.labels }}\n{{ toYaml . }}\n{{- end }}\n{{- end }}\n',
    ),
  );
  for (let i = 0; i < n; i++) {
    files.set(
      `templates/cm-${i}.yaml`,
      enc.encode(
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "synth.name" . }}-${i}\n  labels:\n    {{- include "synth.labels" . | nindent 4 }}\ndata:\n` +
          `  env: {{ .Values.global.env | quote }}\n` +
          `  {{- range $i, $it := .Values.items }}\n  {{- if $it.enabled }}\n  {{ $it.name }}: {{ printf "%s:%d" $it.name (int $it.port) | quote }}\n  {{- end }}\n  {{- end }}\n` +
          `  resources: |\n    {{- toYaml .Values.resources | nindent 4 }}\n`,
      ),
    );
  }
  return loadChartFromFiles(files);
}

function time(label: string, iterations: number, fn: () => void): number {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const ms = (performance.now() - t0) / iterations;
  console.log(`${label}: ${ms.toFixed(3)} ms/render (${iterations} renders)`);
  return ms;
}

const mychart = loadChartFromFiles(
  readDir(path.join(import.meta.dirname, "../src/server/charts/conformance-data/helm/create/mychart")),
);
const opts = {
  releaseName: "bench",
  namespace: "default",
  values: "replicaCount: 2\ningress:\n  enabled: true\n",
};

const warm = time("mychart warm (parsed templates cached)", 1000, () => renderChart(mychart, opts));
const cold = time("mychart cold (re-parse every render)", 200, () => {
  clearRenderCaches();
  renderChart(mychart, opts);
});
console.log(
  `mychart cold/warm ratio: ${(cold / warm).toFixed(2)}x; target <= 2 ms warm: ${warm <= 2 ? "met" : "NOT met"}`,
);

const synth = syntheticChart(200);
const synthWarm = time("synthetic 200 templates warm", 50, () =>
  renderChart(synth, { releaseName: "bench" }),
);
const synthCold = time("synthetic 200 templates cold", 20, () => {
  clearRenderCaches();
  renderChart(synth, { releaseName: "bench" });
});
console.log(
  `synthetic cold/warm ratio: ${(synthCold / synthWarm).toFixed(2)}x; ${(synthWarm / 200).toFixed(4)} ms per template warm`,
);

// The application renders on worker threads (src/server/workloads/render-pool.ts): the
// same chart through the pool, warm (each worker keeps its parsed-template cache).
const pool = new RenderPool({ size: 1, timeoutMs: 15_000, memoryMb: 512 });
const mychartFiles = readDir(
  path.join(import.meta.dirname, "../src/server/charts/conformance-data/helm/create/mychart"),
);
const poolOptions = { ...DEFAULT_RENDER_OPTIONS, releaseName: "bench", values: opts.values };
// What a worker does per request (load the chart from its files, render), on this thread.
time("mychart warm, loading included, in process", 500, () => renderInProcess(mychartFiles, poolOptions));
await pool.render(mychartFiles, poolOptions);
const poolRuns = 500;
const p0 = performance.now();
for (let i = 0; i < poolRuns; i++) await pool.render(mychartFiles, poolOptions);
const poolWarm = (performance.now() - p0) / poolRuns;
console.log(`mychart warm through the worker pool: ${poolWarm.toFixed(3)} ms/render (${poolRuns} renders)`);
await pool.close();
