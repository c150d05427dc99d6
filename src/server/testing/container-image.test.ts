/**
 * The production image and its Helm chart (issue 12, item 14): secrets and
 * local builds stay out of the build context, the process runs as a numeric
 * non-root user that cannot rewrite the application, and every pod the chart
 * makes asks Kubernetes to enforce that.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadChartFromFiles, renderChart } from "@/server/charts";

const root = path.resolve(import.meta.dirname, "../../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

/** A `.dockerignore` pattern as a regular expression over context paths (Go `filepath.Match` plus `**`). */
function patternRegExp(pattern: string): RegExp {
  const clean = pattern.replace(/^\/+/, "").replace(/\/+$/, "");
  let source = "";
  for (let i = 0; i < clean.length; i += 1) {
    const char = clean[i]!;
    if (char === "*" && clean[i + 1] === "*") {
      // `**/` matches any number of directories, zero included.
      source += clean[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += clean[i + 2] === "/" ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // A pattern that names a directory excludes everything in it.
  return new RegExp(`^${source}(?:/.*)?$`);
}

/** Whether Docker leaves `file` out of the build context (last matching rule wins, `!` re-includes). */
function dockerIgnores(rules: readonly string[], file: string): boolean {
  let ignored = false;
  for (const rule of rules) {
    const negated = rule.startsWith("!");
    if (patternRegExp(negated ? rule.slice(1) : rule).test(file)) ignored = !negated;
  }
  return ignored;
}

function dockerignoreRules(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's stages, each a list of instructions (continuations joined, comments dropped). */
function dockerfileStages(text: string): Instruction[][] {
  const logical = text
    .split("\n")
    .filter((line) => !line.trim().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    if (instruction.keyword === "FROM") stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

describe(".dockerignore", () => {
  const rules = dockerignoreRules(read(".dockerignore"));

  it.each([
    ".nemo/secrets.env",
    ".nemo/nextauth-secret",
    ".env",
    ".env.local",
    ".env.production",
    "workers/.env",
    "node_modules/pg/package.json",
    "e2e/node_modules/x/index.js",
    ".git/config",
    ".next/server/app.js",
    "src/generated/prisma/client.ts",
    "test-results/run.json",
    "playwright-report/index.html",
    "coverage/lcov.info",
    "npm-debug.log",
  ])("keeps %s out of the build context", (file) => {
    expect(dockerIgnores(rules, file)).toBe(true);
  });

  it.each([
    "package.json",
    "package-lock.json",
    "prisma/schema.prisma",
    "prisma/migrations/20261127000000_init/migration.sql",
    "src/server/db/client.ts",
    "src/app/layout.tsx",
    "workers/orchestrator.ts",
    "next.config.ts",
    "tsconfig.json",
    "public/favicon.ico",
  ])("sends %s, which the image needs", (file) => {
    expect(dockerIgnores(rules, file)).toBe(false);
  });

  it("reads patterns as Docker does", () => {
    expect(dockerIgnores([".env.*"], ".env.local")).toBe(true);
    expect(dockerIgnores([".env.*"], "a/.env.local")).toBe(false);
    expect(dockerIgnores(["**/.env"], "a/b/.env")).toBe(true);
    expect(dockerIgnores(["node_modules"], "node_modules/x/y.js")).toBe(true);
    expect(dockerIgnores(["*.log", "!keep.log"], "keep.log")).toBe(false);
  });
});

describe("Dockerfile", () => {
  const stages = dockerfileStages(read("Dockerfile"));
  const final = stages.at(-1) ?? [];

  it("runs the final stage as a numeric, non-root user", () => {
    const users = final.filter((instruction) => instruction.keyword === "USER");
    const user = users.at(-1)?.args ?? "";
    // Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(":")[0])).toBeGreaterThan(0);
    // Nothing after USER switches back.
    const lastUser = final.lastIndexOf(users.at(-1)!);
    expect(final.slice(lastUser + 1).map((i) => i.keyword)).not.toContain("USER");
  });

  it("does not hand the application files to the runtime user", () => {
    const user = final.filter((instruction) => instruction.keyword === "USER").at(-1)?.args ?? "";
    const uid = user.split(":")[0];
    for (const copy of final.filter((instruction) => ["COPY", "ADD"].includes(instruction.keyword))) {
      expect(copy.args).not.toMatch(new RegExp(`--chown=(${uid}|node)\\b`));
    }
  });

  it("reads instructions with continuations and stages", () => {
    const parsed = dockerfileStages("FROM a AS b\nRUN x \\\n  && y\n# c\nFROM b\nUSER 1000\n");
    expect(parsed).toEqual([
      [
        { keyword: "FROM", args: "a AS b" },
        { keyword: "RUN", args: "x && y" },
      ],
      [
        { keyword: "FROM", args: "b" },
        { keyword: "USER", args: "1000" },
      ],
    ]);
  });
});

/** Every file of helm/nemo-console, as the chart loader takes them. */
function chartFiles(dir: string, prefix = ""): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory())
      for (const [name, bytes] of chartFiles(full, `${prefix}${entry}/`)) files.set(name, bytes);
    else files.set(`${prefix}${entry}`, readFileSync(full));
  }
  return files;
}

interface Container {
  name: string;
  securityContext?: { allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  initContainers?: Container[];
}

describe("helm/nemo-console", () => {
  it("passes the values' env map to every container (e.g. the CFDRL and billing periods)", () => {
    const chart = loadChartFromFiles(chartFiles(path.join(root, "helm/nemo-console")));
    const { manifests } = renderChart(chart, {
      releaseName: "nemo",
      namespace: "nemo",
      values: 'env: { CFDRL_PERIOD_MS: "30000", BILLING_PERIOD_MS: 120000 }',
    });
    const containers = manifests
      .filter((manifest) => manifest.kind === "Deployment")
      .flatMap((manifest) => parseAllDocuments(manifest.content).map((doc) => doc.toJS() as unknown))
      .flatMap(
        (deployment) =>
          (deployment as { spec: { template: { spec: PodSpec } } }).spec.template.spec.containers,
      )
      .map(
        (container) =>
          container as unknown as { name: string; env?: Array<{ name: string; value?: string }> },
      );
    expect(containers.length).toBeGreaterThan(5);
    for (const container of containers) {
      expect(container.env, container.name).toEqual(
        expect.arrayContaining([
          { name: "CFDRL_PERIOD_MS", value: "30000" },
          { name: "BILLING_PERIOD_MS", value: "120000" },
        ]),
      );
    }
  });

  it("runs every pod as uid 1000 with runAsNonRoot, without privilege escalation", () => {
    const chart = loadChartFromFiles(chartFiles(path.join(root, "helm/nemo-console")));
    const { manifests } = renderChart(chart, { releaseName: "nemo", namespace: "nemo" });
    const pods = manifests
      .filter((manifest) => manifest.kind === "Deployment")
      .flatMap((manifest) => parseAllDocuments(manifest.content).map((doc) => doc.toJS() as unknown))
      .map((deployment) => (deployment as { spec: { template: { spec: PodSpec } } }).spec.template.spec);
    // The web console and one Deployment per worker role.
    expect(pods.length).toBeGreaterThan(5);
    for (const pod of pods) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect(container.securityContext, container.name).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        });
      }
    }
  });
});
