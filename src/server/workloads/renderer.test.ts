import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHART_ARCHIVE_LIMITS, extractChartArchive, MiB } from "@/server/charts";
import { validateChart } from "./chart-validation";
import { helmRenderer } from "./renderer";
import { packChartDirectory, packTarGz, type TarEntry } from "./tar-writer";

const MYCHART = path.resolve("src/server/charts/conformance-data/helm/create/mychart");

describe("validateChart with the Helm renderer", () => {
  it("accepts the chart `helm create mychart` writes, with its manifests and hook", async () => {
    const { files } = await extractChartArchive(await packChartDirectory(MYCHART));
    const result = await validateChart(files, helmRenderer);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result).toMatchObject({ chartName: "mychart", chartVersion: "0.1.0" });
    expect(result.manifests.map((m) => `${m.kind}/${m.name} ${m.source}`)).toEqual([
      "ServiceAccount/release-name-mychart mychart/templates/serviceaccount.yaml",
      "Service/release-name-mychart mychart/templates/service.yaml",
      "Deployment/release-name-mychart mychart/templates/deployment.yaml",
      "Pod/release-name-mychart-test-connection mychart/templates/tests/test-connection.yaml",
    ]);
    expect(result.manifests[2]?.content).toContain('image: "nginx:1.16.0"');
  });

  it("reports a template error with the template's file and line", async () => {
    const { files } = await extractChartArchive(
      packTarGz([
        { path: "broken/Chart.yaml", content: "apiVersion: v2\nname: broken\nversion: 1.0.0\n" },
        {
          path: "broken/templates/cm.yaml",
          content: "kind: ConfigMap\nmetadata:\n  name: {{ .Values.name | nope }}\n",
        },
      ]),
    );
    const result = await validateChart(files, helmRenderer);
    expect(!result.ok && result.errors[0]).toEqual({
      file: "broken/templates/cm.yaml",
      line: 3,
      message: 'parse error at (broken/templates/cm.yaml:3): function "nope" not defined',
    });
  });

  it("reports a failing `required` with its line", async () => {
    const { files } = await extractChartArchive(
      packTarGz([
        { path: "req/Chart.yaml", content: "apiVersion: v2\nname: req\nversion: 1.0.0\n" },
        {
          path: "req/templates/cm.yaml",
          content: 'kind: ConfigMap\nmetadata:\n  name: {{ required "name is required" .Values.name }}\n',
        },
      ]),
    );
    const result = await validateChart(files, helmRenderer);
    expect(!result.ok && result.errors[0]).toMatchObject({ file: "req/templates/cm.yaml", line: 3 });
    expect(!result.ok && result.errors[0]?.message).toContain("name is required");
  });

  describe("an upload's subcharts are held to the upload limits", () => {
    const chartYaml = (name: string) => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;
    const packaged = (name: string, extra: TarEntry[] = []) =>
      packTarGz([
        { path: `${name}/Chart.yaml`, content: chartYaml(name) },
        { path: `${name}/templates/cm.yaml`, content: `kind: ConfigMap\nmetadata:\n  name: ${name}\n` },
        ...extra,
      ]);
    /** Uploads `shop` holding the subchart archive, and validates it as the upload does. */
    const validateUpload = async (file: string, subchart: Buffer) => {
      const { files } = await extractChartArchive(
        packaged("shop", [{ path: `shop/charts/${file}`, content: subchart }]),
      );
      const result = await validateChart(files, helmRenderer);
      expect(result.ok).toBe(false);
      return result.ok ? undefined : result.errors[0]?.message;
    };

    it("refuses a gzip bomb subchart, naming it", async () => {
      // 64 MiB of zeros, in files under the per-file cap, packed into ~64 KiB.
      const blobs = Array.from({ length: 16 }, (_, i) => ({
        path: `bomb/files/blob-${i}`,
        content: new Uint8Array(4 * MiB),
      }));
      expect(await validateUpload("bomb-0.1.0.tgz", packaged("bomb", blobs))).toBe(
        "error unpacking subchart bomb-0.1.0.tgz in shop: The chart is larger than 50 MiB uncompressed.",
      );
    });

    it("refuses subcharts nested too deep, naming the level that is too deep", async () => {
      const depth = CHART_ARCHIVE_LIMITS.maxNestingDepth + 1;
      let archive = packaged(`level${depth}`);
      for (let level = depth - 1; level >= 1; level--) {
        archive = packaged(`level${level}`, [
          { path: `level${level}/charts/level${level + 1}-0.1.0.tgz`, content: archive },
        ]);
      }
      const message = await validateUpload("level1-0.1.0.tgz", archive);
      expect(message).toMatch(/^error unpacking subchart level1-0\.1\.0\.tgz in shop: /);
      expect(message).toMatch(
        /error unpacking subchart level6-0\.1\.0\.tgz in level5: Subcharts may nest at most 5 levels deep\.$/,
      );
    });

    it("refuses a .. entry inside a subchart, naming the subchart and the entry", async () => {
      const evil = packaged("sub", [{ path: "sub/../../../etc/evil.yaml", content: "x" }]);
      expect(await validateUpload("sub-0.1.0.tgz", evil)).toBe(
        'error unpacking subchart sub-0.1.0.tgz in shop: Entry "sub/../../../etc/evil.yaml" contains "..", which would escape the chart directory.',
      );
    });
  });
});
