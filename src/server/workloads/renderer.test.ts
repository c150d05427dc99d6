import path from "node:path";
import { describe, expect, it } from "vitest";
import { extractChartArchive } from "./chart-archive";
import { validateChart } from "./chart-validation";
import { helmRenderer } from "./renderer";
import { packChartDirectory, packTarGz } from "./tar-writer";

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
});
