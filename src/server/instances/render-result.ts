import { DomainError } from "@/server/errors";
import type { RenderOutcome } from "@/server/workloads";

/**
 * A render that succeeded, or a 422 naming the chart's first problem and
 * where it is. Creating and changing an instance both refuse a chart that
 * does not render here, where the provider can still change the values,
 * rather than have the orchestrator fail it later.
 */
export function renderedOrThrow(rendered: RenderOutcome): Extract<RenderOutcome, { ok: true }> {
  if (rendered.ok) return rendered;
  const first = rendered.errors[0];
  const where = first?.file ? ` (${first.file}${first.line ? `:${first.line}` : ""})` : "";
  throw new DomainError(
    "unprocessable",
    `The chart does not render with these options${where}: ${first?.message ?? "unknown error"}`,
    first?.field === "values" ? "valuesOverride" : undefined,
    rendered.errors,
  );
}
