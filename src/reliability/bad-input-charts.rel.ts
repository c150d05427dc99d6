import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { GET as ready } from "@/app/api/ready/route";
import { Role } from "@/common/roles";
import { uploadChartRest } from "@/server/api/v1/workload";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { makeUser, makeWorkload } from "@/server/testing/factories";
import { intOption } from "@/server/testing/reliability";
import { sessionCookie } from "@/server/testing/session-cookie";
import { packTar, packTarGz, type TarEntry } from "@/server/workloads/tar-writer";

/**
 * Bad input, part 2: a corpus of hostile charts uploaded through the real
 * upload route (multipart, as the console's dialog sends it). Each must be
 * refused with a 4xx naming the limit or the entry, within its time bound,
 * the workload staying PENDING; meanwhile the liveness check, due every
 * 50 ms, must answer within 200 ms of its due time (nothing holds the event
 * loop) and readiness must keep answering 200.
 *
 * RELIABILITY_BAD_INPUT_FILES sets the entry count of the "many tiny files" case
 * (default 100,000, the issue's size).
 */

const BASE = "http://localhost:3999";
const MiB = 1024 * 1024;
const TINY_FILES = intOption("RELIABILITY_BAD_INPUT_FILES", 100_000);
const HEALTH_BUDGET_MS = 200;

const CHART_YAML = "apiVersion: v2\nname: hostile\nversion: 1.0.0\n";

/** A chart `hostile/` with these files (paths below the chart directory) and extra raw entries. */
function chart(files: Record<string, string | Uint8Array>, extra: TarEntry[] = []): TarEntry[] {
  return [
    { path: "hostile/Chart.yaml", content: CHART_YAML },
    { path: "hostile/values.yaml", content: "a: 1\n" },
    ...Object.entries(files).map(([file, content]) => ({ path: `hostile/${file}`, content })),
    ...extra,
  ];
}

const template = (body: string) => packTarGz(chart({ "templates/cm.yaml": body }));

/** A subchart archive nested `levels` deep, the innermost holding `payload`. */
function nestedSubcharts(levels: number, payload: Record<string, string | Uint8Array>): Buffer {
  let inner = packTarGz([
    { path: "deep/Chart.yaml", content: "apiVersion: v2\nname: deep\nversion: 1.0.0\n" },
    ...Object.entries(payload).map(([file, content]) => ({ path: `deep/${file}`, content })),
  ]);
  for (let level = 1; level < levels; level++) {
    inner = packTarGz([
      { path: `sub${level}/Chart.yaml`, content: `apiVersion: v2\nname: sub${level}\nversion: 1.0.0\n` },
      { path: `sub${level}/charts/inner.tgz`, content: inner },
    ]);
  }
  return packTarGz(chart({ "charts/inner.tgz": inner }));
}

/** The billion laughs: nine levels of nine aliases each, 9^9 strings once expanded. */
function aliasBomb(): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(",")}]`,
    );
  return `${lines.join("\n")}\n`;
}

interface BadChart {
  name: string;
  archive: () => Buffer;
  /** What the answer (message or a problem) must say. */
  says: RegExp;
  /** Longest acceptable time to the refusal, ms. */
  withinMs: number;
}

const zeros4MiB = new Uint8Array(4 * MiB);

const CORPUS: BadChart[] = [
  {
    name: "path traversal (..)",
    archive: () => packTarGz(chart({}, [{ path: "hostile/../../etc/cron.d/evil", content: "x" }])),
    says: /\.\./,
    withinMs: 5_000,
  },
  {
    name: "absolute path",
    archive: () => packTarGz(chart({}, [{ path: "/etc/passwd", content: "x" }])),
    says: /absolute|\/etc\/passwd/i,
    withinMs: 5_000,
  },
  {
    name: "symlink",
    archive: () =>
      packTarGz(chart({}, [{ path: "hostile/templates/x.yaml", type: "symlink", linkname: "/etc/passwd" }])),
    says: /link/i,
    withinMs: 5_000,
  },
  {
    name: "hard link",
    archive: () =>
      packTarGz(chart({}, [{ path: "hostile/templates/x.yaml", type: "hardlink", linkname: "/etc/shadow" }])),
    says: /link/i,
    withinMs: 5_000,
  },
  {
    name: "character device",
    archive: () => packTarGz(chart({}, [{ path: "hostile/dev-null", type: "char-device" }])),
    says: /device/i,
    withinMs: 5_000,
  },
  {
    name: "block device",
    archive: () => packTarGz(chart({}, [{ path: "hostile/sda", type: "block-device" }])),
    says: /device/i,
    withinMs: 5_000,
  },
  {
    name: "FIFO",
    archive: () => packTarGz(chart({}, [{ path: "hostile/pipe", type: "fifo" }])),
    says: /fifo|unsupported|entry/i,
    withinMs: 5_000,
  },
  {
    name: "gzip bomb: one 256 MiB file of zeros",
    archive: () => packTarGz(chart({ "templates/zeros.yaml": new Uint8Array(256 * MiB) })),
    says: /MiB|too large|limit/i,
    withinMs: 10_000,
  },
  {
    name: "nested gzip bombs: subcharts of 4 MiB files adding up past 50 MiB",
    archive: () =>
      packTarGz(
        chart(
          Object.fromEntries(
            [1, 2, 3].map((n) => [
              `charts/bomb${n}.tgz`,
              packTarGz([
                { path: `bomb${n}/Chart.yaml`, content: `apiVersion: v2\nname: bomb${n}\nversion: 1.0.0\n` },
                ...Array.from({ length: 5 }, (_, i) => ({
                  path: `bomb${n}/charts/z${i}.tgz`,
                  content: packTarGz([
                    { path: `z${i}/Chart.yaml`, content: `apiVersion: v2\nname: z${i}\nversion: 1.0.0\n` },
                    ...Array.from({ length: 2 }, (_, j) => ({ path: `z${i}/f${j}`, content: zeros4MiB })),
                  ]),
                })),
              ]),
            ]),
          ),
        ),
      ),
    says: /MiB|too large|limit/i,
    withinMs: 10_000,
  },
  {
    name: "subcharts nested 8 deep",
    archive: () => nestedSubcharts(8, { "values.yaml": "a: 1\n" }),
    says: /deep|nest|level/i,
    withinMs: 5_000,
  },
  {
    name: "gzip inside gzip (a .tgz compressed again)",
    archive: () => gzipSync(packTarGz(chart({}))),
    says: /tar|corrupt|archive|chart/i,
    withinMs: 5_000,
  },
  {
    name: `${TINY_FILES.toLocaleString("en")} tiny files`,
    archive: () =>
      gzipSync(
        packTar(
          chart(
            Object.fromEntries(
              Array.from({ length: TINY_FILES }, (_, i) => [`templates/f${i}.yaml`, "a: 1\n"]),
            ),
          ),
        ),
      ),
    says: /entries|files/i,
    withinMs: 10_000,
  },
  {
    name: "invalid YAML in values.yaml",
    archive: () =>
      packTarGz(
        chart({ "templates/cm.yaml": "a: 1\n" }).map((e) =>
          e.path === "hostile/values.yaml" ? { ...e, content: "a: [unclosed\n  b: {\n" } : e,
        ),
      ),
    says: /values\.yaml|yaml/i,
    withinMs: 5_000,
  },
  {
    name: "values.yaml nested 400,000 levels (800 KB)",
    archive: () =>
      packTarGz(
        chart({ "templates/cm.yaml": "a: 1\n" }).map((e) =>
          e.path === "hostile/values.yaml"
            ? { ...e, content: `a: ${"[".repeat(400_000)}${"]".repeat(400_000)}\n` }
            : e,
        ),
      ),
    says: /maxFlowDepth/,
    withinMs: 5_000,
  },
  {
    name: "YAML alias bomb in values.yaml",
    archive: () =>
      packTarGz(
        chart({ "templates/cm.yaml": "a: 1\n" }).map((e) =>
          e.path === "hostile/values.yaml" ? { ...e, content: aliasBomb() } : e,
        ),
      ),
    says: /alias/i,
    withinMs: 5_000,
  },
  {
    name: "recursive include",
    archive: () => template('{{ define "r" }}{{ include "r" . }}{{ end }}a: {{ include "r" . }}\n'),
    says: /nested|maxTemplateDepth|recurs/i,
    withinMs: 20_000,
  },
  {
    name: "template rendering 1 GB",
    archive: () => template('a: |\n{{- range until 100000 }}\n  {{ repeat 10000 "x" }}\n{{- end }}\n'),
    says: /maxOutputBytes|maxRangeIterations|maxStringBytes|limit/,
    withinMs: 20_000,
  },
  {
    name: "catastrophic regex (a+)+$ with regexMatch",
    archive: () => template('a: {{ regexMatch "(a+)+$" (printf "%s!" (repeat 40 "a")) }}\n'),
    says: /refused|exponential|maxRenderMs|renderTimeoutMs/,
    withinMs: 20_000,
  },
  {
    name: "catastrophic regex (\\w+\\s?)*$ with regexFind",
    archive: () =>
      template('a: {{ regexFind "(\\\\w+\\\\s?)*$" (printf "%s!" (repeat 40 "ab ")) | quote }}\n'),
    says: /refused|exponential|maxRenderMs|renderTimeoutMs/,
    withinMs: 20_000,
  },
];

let db: Db;
let owner: SessionUser;
let cookie: string;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL);
  owner = await makeUser(db, [Role.SERVICE_PROVIDER]);
  cookie = `next-auth.session-token=${await sessionCookie(owner)}`;
});

afterAll(async () => {
  await db?.$disconnect();
});

function upload(workloadId: number, archive: Buffer): Promise<Response> {
  const form = new FormData();
  form.set("workload_id", String(workloadId));
  form.set("file", new Blob([new Uint8Array(archive)]), "chart.tgz");
  const request = new Request(`${BASE}/api/v1/workload/upload/`, {
    method: "POST",
    headers: { cookie, origin: BASE },
    body: form,
  });
  return uploadChartRest(request, { params: Promise.resolve(undefined) });
}

interface HealthFigures {
  /** Slowest liveness answer, counted from when its 50 ms timer was due: a blocked event loop shows here. */
  maxMs: number;
  /** Slowest readiness answer (a database round trip; its own budget is 2 s). */
  readyMaxMs: number;
  checks: number;
  failures: number;
}

/**
 * Calls the liveness route every 50 ms and the readiness route after it,
 * until stopped. They run in this process beside the uploads, so anything
 * that holds the event loop delays the liveness answer.
 */
function healthLoop(): { stop: () => Promise<HealthFigures> } {
  let running = true;
  const figures: HealthFigures = { maxMs: 0, readyMaxMs: 0, checks: 0, failures: 0 };
  const loop = (async () => {
    while (running) {
      const due = performance.now() + 50;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const live = health();
      figures.maxMs = Math.max(figures.maxMs, performance.now() - due);
      const readyStarted = performance.now();
      const readiness = await ready();
      figures.readyMaxMs = Math.max(figures.readyMaxMs, performance.now() - readyStarted);
      figures.checks += 1;
      if (live.status !== 200 || readiness.status !== 200) figures.failures += 1;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ...figures, maxMs: Math.round(figures.maxMs), readyMaxMs: Math.round(figures.readyMaxMs) };
    },
  };
}

describe("bad input: the hostile chart corpus", () => {
  it("refuses every chart within its limit while health answers in under 200 ms", async () => {
    const rows: Array<Record<string, string | number>> = [];
    const failures: string[] = [];
    // Built before the clock starts: packing 256 MiB of zeros blocks this process, not the server's work.
    const archives = CORPUS.map((bad) => bad.archive());
    await ready(); // the first call opens the database pool
    const overall = healthLoop();
    for (const [index, bad] of CORPUS.entries()) {
      const workload = await makeWorkload(db, owner);
      const archive = archives[index] ?? Buffer.alloc(0);
      const checker = healthLoop();
      const started = performance.now();
      const response = await upload(workload.id, archive);
      const ms = Math.round(performance.now() - started);
      const healthFigures = await checker.stop();
      const answer = (await response.json()) as {
        message?: string;
        field?: string | null;
        problems?: Array<{ message: string; file?: string; line?: number }>;
      };
      const said = [
        answer.message ?? "",
        ...(answer.problems ?? []).map((p) => `${p.file ?? ""}: ${p.message}`),
      ].join(" | ");
      const status = (await db.workload.findUniqueOrThrow({ where: { id: workload.id } })).status;
      rows.push({
        case: bad.name,
        "archive KiB": Math.round(archive.byteLength / 1024),
        status: response.status,
        ms,
        "bound ms": bad.withinMs,
        "live max ms": healthFigures.maxMs,
        "ready max ms": healthFigures.readyMaxMs,
        answer: said.slice(0, 110),
      });
      if (![400, 413, 422].includes(response.status))
        failures.push(`${bad.name}: answered ${response.status}`);
      if (!bad.says.test(said)) failures.push(`${bad.name}: the answer does not say ${bad.says}: ${said}`);
      if (answer.field !== "file") failures.push(`${bad.name}: the field is ${answer.field}, not file`);
      if (ms > bad.withinMs) failures.push(`${bad.name}: took ${ms} ms (bound ${bad.withinMs})`);
      if (status !== "PENDING") failures.push(`${bad.name}: the workload became ${status}`);
      if (healthFigures.maxMs >= HEALTH_BUDGET_MS)
        failures.push(`${bad.name}: health answered in ${healthFigures.maxMs} ms`);
    }
    const total = await overall.stop();
    console.log(
      `\nhostile charts through POST /api/v1/workload/upload/ (liveness budget ${HEALTH_BUDGET_MS} ms)`,
    );
    console.table(rows);
    console.log(
      `health checks: ${total.checks}, slowest liveness ${total.maxMs} ms (budget ${HEALTH_BUDGET_MS}), slowest readiness ${total.readyMaxMs} ms, non-200: ${total.failures}`,
    );
    expect(failures).toEqual([]);
    expect(total.failures).toBe(0);
    expect(total.maxMs).toBeLessThan(HEALTH_BUDGET_MS);
  });
});
