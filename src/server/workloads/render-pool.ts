/**
 * Chart rendering off the web server's event loop: a small pool of worker threads, each
 * with a memory cap, and a wall-clock limit per render after which the worker is
 * terminated and replaced. A hostile chart then costs one worker for a bounded time, not
 * the console; the engine's own budgets (charts/template/limits.ts) usually stop it first.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ChartFiles, RenderOptions, RenderResult } from "./chart-validation";
import type { CoreResult } from "./render-core";
import type { RenderRequest } from "./render-worker";

export interface RenderPoolOptions {
  /** Worker threads (NEMO_RENDER_WORKERS, default 2). */
  size: number;
  /** Wall-clock limit of one render (NEMO_RENDER_TIMEOUT_MS, default 15 000). */
  timeoutMs: number;
  /** V8 old-generation heap of one worker (NEMO_RENDER_WORKER_MEMORY_MB, default 512). */
  memoryMb: number;
}

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

export function renderPoolOptionsFromEnv(): RenderPoolOptions {
  return {
    size: envInt("NEMO_RENDER_WORKERS", 2, 1),
    timeoutMs: envInt("NEMO_RENDER_TIMEOUT_MS", 15_000, 100),
    memoryMb: envInt("NEMO_RENDER_WORKER_MEMORY_MB", 512, 64),
  };
}

/**
 * Where render-worker.ts is. Under tsx and vitest this module is the source file itself;
 * in the Next.js build it is a bundle chunk, and the sources sit in the app's directory
 * (the image copies the repository, as the background workers need it too).
 */
function workerSource(): { entry: string; root: string } {
  const here = import.meta.url.startsWith("file:") ? path.dirname(fileURLToPath(import.meta.url)) : "";
  if (here && existsSync(path.join(here, "render-worker.ts")))
    return { entry: path.join(here, "render-worker.ts"), root: path.resolve(here, "../../..") };
  const root = process.env.NEMO_APP_ROOT ?? process.cwd();
  return { entry: path.join(root, "src/server/workloads/render-worker.ts"), root };
}

interface TsxManifest {
  exports: Record<"./esm/api", { import: { default: string } }>;
}

/** The worker boots TypeScript with tsx's API (execArgv `--import` is not applied to a worker's entry). */
function bootstrap(): string {
  const { entry, root } = workerSource();
  // The ESM entry of tsx/esm/api, from its exports map (require.resolve would give the CommonJS one).
  const manifest = createRequire(path.join(root, "package.json")).resolve("tsx/package.json");
  const exportsMap = (JSON.parse(readFileSync(manifest, "utf8")) as TsxManifest).exports["./esm/api"];
  const tsx = path.join(path.dirname(manifest), exportsMap.import.default);
  return (
    `import(${JSON.stringify(pathToFileURL(tsx).href)})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(pathToFileURL(entry).href)}); })` +
    `.catch((e) => { console.error("render worker failed to start", e); process.exit(1); });`
  );
}

interface Task {
  id: number;
  files: ChartFiles;
  options: RenderOptions;
  resolve: (r: CoreResult) => void;
}

interface Slot {
  worker: Worker;
  /** Booted; a render's wall clock starts only then. */
  ready: boolean;
  task?: Task;
  timer?: NodeJS.Timeout;
}

const failure = (message: string): CoreResult => ({ ok: false, errors: [{ message }] });

export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private script: string | undefined;

  constructor(readonly options: RenderPoolOptions) {}

  render(files: ChartFiles, options: RenderOptions): Promise<CoreResult> {
    if (this.closed) return Promise.resolve(failure("The chart renderer is shut down."));
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, files, options, resolve });
      this.dispatch();
    });
  }

  /** Terminates every worker; pending renders are answered with an error. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.resolve(failure("The chart renderer is shut down."));
    await Promise.all(
      this.slots.splice(0).map((s) => {
        clearTimeout(s.timer);
        s.task?.resolve(failure("The chart renderer is shut down."));
        return s.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.ready && !s.task);
      if (!slot) {
        if (this.slots.length < this.options.size && !this.slots.some((s) => !s.ready)) this.spawn();
        return;
      }
      const task = this.queue.shift();
      if (!task) return;
      const busy = slot;
      busy.task = task;
      busy.worker.ref();
      busy.timer = setTimeout(() => {
        this.replace(
          busy,
          failure(
            `The chart took longer than ${this.options.timeoutMs} ms to render and was stopped (renderTimeoutMs).`,
          ),
        );
      }, this.options.timeoutMs);
      const request: RenderRequest = { id: task.id, files: task.files, options: task.options };
      busy.worker.postMessage(request);
    }
  }

  private spawn(): Slot {
    this.script ??= bootstrap();
    const worker = new Worker(this.script, {
      eval: true,
      resourceLimits: {
        maxOldGenerationSizeMb: this.options.memoryMb,
        maxYoungGenerationSizeMb: Math.min(64, Math.max(16, Math.floor(this.options.memoryMb / 8))),
        // Room for Helm's 1000 nested includes.
        stackSizeMb: 16,
      },
      // Render workers never read the console's secrets.
      env: {},
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, ready: false };
    worker.on("message", (msg: { id: number; result: CoreResult } | { ready: true }) => {
      if ("ready" in msg) {
        slot.ready = true;
        this.dispatch();
        if (!slot.task) worker.unref();
        return;
      }
      if (slot.task?.id !== msg.id) return;
      clearTimeout(slot.timer);
      const task = slot.task;
      slot.task = undefined;
      worker.unref();
      task.resolve(msg.result);
      this.dispatch();
    });
    worker.on("error", (err) => {
      const oom = (err as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY";
      this.replace(
        slot,
        failure(
          oom
            ? `The chart needed more than ${this.options.memoryMb} MB of memory to render and was stopped (renderMemoryMb).`
            : `The chart could not be rendered: the renderer failed (${err.message}).`,
        ),
      );
    });
    worker.on("exit", () => {
      if (this.slots.includes(slot))
        this.replace(slot, failure("The chart could not be rendered: the renderer exited."));
    });
    // Referenced while it boots for a waiting render; unreferenced whenever idle.
    this.slots.push(slot);
    return slot;
  }

  /** Answer the slot's task with `result`, drop the worker and start over with a fresh one. */
  private replace(slot: Slot, result: CoreResult): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = undefined;
    void slot.worker.terminate();
    // A worker that dies while booting answers the oldest waiting render, so a broken
    // installation fails renders one by one instead of respawning forever.
    (task ?? (slot.ready ? undefined : this.queue.shift()))?.resolve(result);
    if (!this.closed) this.dispatch();
  }
}

/** Drop the `unexpected` detail the worker attached (the caller logs it). */
export function publicResult(r: CoreResult): RenderResult {
  if (r.ok) return r;
  return { ok: false, errors: r.errors };
}
