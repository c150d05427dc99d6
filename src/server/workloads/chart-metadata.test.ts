import { describe, expect, it } from "vitest";
import { parseChartMetadata } from "./chart-metadata";

const problems = (source: string) => {
  const result = parseChartMetadata(source);
  if (result.ok) throw new Error("expected problems");
  return result.problems;
};

describe("parseChartMetadata", () => {
  it("reads a Helm 3 application chart", () => {
    const result = parseChartMetadata(
      'apiVersion: v2\nname: mychart\nversion: 0.1.0\nappVersion: "1.16.0"\ntype: application\n',
    );
    expect(result).toEqual({
      ok: true,
      metadata: {
        apiVersion: "v2",
        name: "mychart",
        version: "0.1.0",
        type: "application",
        appVersion: "1.16.0",
      },
    });
  });

  it("accepts a legacy v1 chart without a type", () => {
    const result = parseChartMetadata("apiVersion: v1\nname: old\nversion: 1.2.3\n");
    expect(result.ok && result.metadata).toMatchObject({ apiVersion: "v1", type: "application" });
  });

  it("refuses a library chart, since it renders nothing to deploy", () => {
    const [problem] = problems("apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n");
    expect(problem).toMatchObject({ file: "Chart.yaml", field: "type", line: 4 });
    expect(problem?.message).toContain("library chart");
  });

  it("names the line of a non-SemVer version (a YAML float is not one)", () => {
    const [problem] = problems("apiVersion: v2\nname: c\n\nversion: 1.0\n");
    expect(problem).toEqual(
      expect.objectContaining({
        file: "Chart.yaml",
        field: "version",
        line: 4,
        message: expect.stringContaining('version "1" is not a valid SemVer') as unknown,
      }),
    );
  });

  it("reports each missing required field", () => {
    expect(problems("description: nothing else\n").map((p) => p.field)).toEqual([
      "apiVersion",
      "name",
      "version",
    ]);
  });

  it("refuses an unknown apiVersion, an unknown type and a name with a path", () => {
    expect(problems("apiVersion: v3\nname: c\nversion: 1.0.0\n")[0]?.field).toBe("apiVersion");
    expect(problems("apiVersion: v2\nname: c\nversion: 1.0.0\ntype: plugin\n")[0]?.message).toContain(
      'type "plugin" is invalid',
    );
    expect(problems("apiVersion: v2\nname: ../c\nversion: 1.0.0\n")[0]?.field).toBe("name");
  });

  it("points at the line of a YAML syntax error", () => {
    const [problem] = problems("apiVersion: v2\nname: [broken\nversion: 1.0.0\n");
    expect(problem?.file).toBe("Chart.yaml");
    expect(problem?.line).toBeGreaterThanOrEqual(2);
    expect(problem?.message).not.toMatch(/at line/);
  });

  it("refuses a document that is not a mapping", () => {
    expect(problems("- a\n- b\n")[0]?.message).toBe("Chart.yaml must be a YAML mapping.");
  });
});
