/**
 * Worker-thread entry of the render pool (render-pool.ts): renders one chart per message.
 * The engine's parsed-template cache lives here, so warm renders stay warm per worker.
 */
import { parentPort } from "node:worker_threads";
import type { ChartFiles, RenderOptions } from "./chart-validation";
import { renderInProcess } from "./render-core";

export interface RenderRequest {
  id: number;
  files: ChartFiles;
  options: RenderOptions;
}

parentPort?.on("message", (request: RenderRequest) => {
  const result = renderInProcess(request.files, request.options);
  parentPort?.postMessage({ id: request.id, result });
});

// Loaded (TypeScript compiled, engine imported): renders may start, and their clock with them.
parentPort?.postMessage({ ready: true });
