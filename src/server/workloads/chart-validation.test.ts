import { describe, expect, it } from "vitest";
import {
  coalesceValues,
  describeProblem,
  validateChart,
  type ChartRenderer,
  type RenderOptions,
  type RenderResult,
} from "./chart-validation";

const encoder = new TextEncoder();
const files = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([path, text]) => [path, encoder.encode(text)]));

const CHART = "apiVersion: v2\nname: shop\nversion: 1.2.3\n";
const MANIFEST = {
  source: "shop/templates/cm.yaml",
  kind: "ConfigMap",
  name: "shop",
  content: "kind: ConfigMap\n",
};

/** Records what it was asked and answers as told: the pipeline's stand-in for the template engine. */
function renderer(result: RenderResult): ChartRenderer & { calls: RenderOptions[] } {
  const calls: RenderOptions[] = [];
  return {
    name: "test",
    calls,
    render(_files, options) {
      calls.push(options);
      return Promise.resolve(result);
    },
  };
}

describe("validateChart", () => {
  it("accepts a chart that renders with its default values", async () => {
    const r = renderer({ ok: true, manifests: [MANIFEST] });
    const result = await validateChart(files({ "Chart.yaml": CHART, "values.yaml": "a: 1\n" }), r);
    expect(result).toEqual({ ok: true, chartName: "shop", chartVersion: "1.2.3", manifests: [MANIFEST] });
    expect(r.calls).toEqual([
      {
        releaseName: "release-name",
        namespace: "default",
        values: "",
        includeCrds: false,
        isUpgrade: false,
        noHooks: false,
      },
    ]);
  });

  it("requires Chart.yaml", async () => {
    const result = await validateChart(
      files({ "values.yaml": "" }),
      renderer({ ok: true, manifests: [MANIFEST] }),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]?.message).toContain("Chart.yaml is missing");
  });

  it("stops at Chart.yaml problems before rendering, keeping what identity it can", async () => {
    const r = renderer({ ok: true, manifests: [MANIFEST] });
    const result = await validateChart(
      files({ "Chart.yaml": "apiVersion: v2\nname: lib\nversion: 2.0.0\ntype: library\n" }),
      r,
    );
    expect(result).toMatchObject({ ok: false, chartName: "lib", chartVersion: "2.0.0" });
    expect(r.calls).toHaveLength(0);
  });

  it("reports a values.yaml syntax error with its line", async () => {
    const result = await validateChart(
      files({ "Chart.yaml": CHART, "values.yaml": "ok: 1\nbad: [1, 2\nnext: 3\n" }),
      renderer({ ok: true, manifests: [MANIFEST] }),
    );
    expect(!result.ok && result.errors[0]).toMatchObject({ file: "values.yaml" });
    expect(!result.ok && result.errors[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it("checks values against values.schema.json and points at the value's line", async () => {
    const schema = JSON.stringify({ properties: { replicaCount: { type: "integer" } } });
    const result = await validateChart(
      files({
        "Chart.yaml": CHART,
        "values.yaml": "# defaults\nimage: nginx\nreplicaCount: two\n",
        "values.schema.json": schema,
      }),
      renderer({ ok: true, manifests: [MANIFEST] }),
    );
    expect(!result.ok && result.errors).toEqual([
      {
        field: "values.replicaCount",
        file: "values.yaml",
        line: 3,
        message:
          "values don't meet the chart's schema (values.schema.json): replicaCount must be integer, got string",
      },
    ]);
  });

  it("reports a values.schema.json that cannot be used as a problem of that file", async () => {
    const schema = JSON.stringify({ properties: { image: { $ref: "https://schemas.example/image.json" } } });
    const result = await validateChart(
      files({ "Chart.yaml": CHART, "values.yaml": "image: nginx\n", "values.schema.json": schema }),
      renderer({ ok: true, manifests: [MANIFEST] }),
    );
    expect(!result.ok && result.errors).toEqual([
      {
        file: "values.schema.json",
        message: expect.stringContaining(
          'refers to "https://schemas.example/image.json", outside the chart: remote schemas are not fetched',
        ) as string,
      },
    ]);
  });

  it("reports a values.schema.json that is not JSON, with the line", async () => {
    const result = await validateChart(
      files({ "Chart.yaml": CHART, "values.schema.json": '{\n  "type": "object",\n  oops\n}' }),
      renderer({ ok: true, manifests: [MANIFEST] }),
    );
    expect(!result.ok && result.errors[0]).toMatchObject({ file: "values.schema.json", line: 3 });
  });

  it("passes the renderer's first error through, with file and line", async () => {
    const problem = {
      file: "shop/templates/deployment.yaml",
      line: 12,
      message: 'function "nope" not defined',
    };
    const helmStyle = { ...problem, message: "parse error at (shop/templates/deployment.yaml:12): bad" };
    const result = await validateChart(
      files({ "Chart.yaml": CHART }),
      renderer({ ok: false, errors: [problem] }),
    );
    expect(!result.ok && result.errors).toEqual([problem]);
    expect(describeProblem(problem)).toBe('shop/templates/deployment.yaml:12: function "nope" not defined');
    expect(describeProblem(helmStyle)).toBe(helmStyle.message);
  });

  it("refuses a chart that renders nothing", async () => {
    const result = await validateChart(files({ "Chart.yaml": CHART }), renderer({ ok: true, manifests: [] }));
    expect(!result.ok && result.errors[0]?.message).toContain("renders no Kubernetes manifests");
  });
});

describe("coalesceValues", () => {
  it("merges maps, replaces other values and deletes keys set to null, as Helm does", () => {
    expect(
      coalesceValues(
        { image: { repository: "nginx", tag: "1" }, ports: [80], debug: true },
        { image: { tag: "2" }, ports: [443], debug: null },
      ),
    ).toEqual({ image: { repository: "nginx", tag: "2" }, ports: [443] });
  });
});
