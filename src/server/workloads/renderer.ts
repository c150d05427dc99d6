/**
 * The ChartRenderer the application uses: the Helm template engine of src/server/charts
 * (Go text/template + Sprig + Helm semantics), run on a pool of worker threads
 * (render-pool.ts) so a hostile chart cannot block the web server's event loop.
 */
import { logger } from "@/server/logger";
import type { ChartRenderer, RenderResult } from "./chart-validation";
import type { CoreResult } from "./render-core";
import { publicResult, RenderPool, renderPoolOptionsFromEnv } from "./render-pool";

const log = logger.child({ module: "chart-renderer" });

let pool: RenderPool | undefined;

function renderPool(): RenderPool {
  pool ??= new RenderPool(renderPoolOptionsFromEnv());
  return pool;
}

function answer(result: CoreResult): RenderResult {
  // A renderer bug, not the chart's fault: log it; the chart is still refused.
  if (!result.ok && "unexpected" in result)
    log.error({ err: result.unexpected }, "chart renderer failed unexpectedly");
  return publicResult(result);
}

export const helmRenderer: ChartRenderer = {
  name: "helm",
  async render(files, options): Promise<RenderResult> {
    return answer(await renderPool().render(files, options));
  },
};

export function chartRenderer(): ChartRenderer {
  return helmRenderer;
}

/** Stop the render workers (tests, shutdown); the next render starts new ones. */
export async function closeRenderPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}
