import { TRPCClientError } from "@trpc/client";

/** A render problem of the chart, as the server reports it (file and line when it has them). */
export interface RenderProblem {
  field?: string;
  file?: string;
  line?: number;
  message: string;
}

/**
 * What a failed "create instance" means for the form: a message per field,
 * keyed by the input's dotted path ("releaseName",
 * "intent.targets.0.targetValue"); the chart's render problems; and a
 * message that belongs to no field.
 */
export interface InstanceFormErrors {
  fields: Record<string, string>;
  problems: RenderProblem[];
  form: string | undefined;
}

export const NO_FORM_ERRORS: InstanceFormErrors = { fields: {}, problems: [], form: undefined };

interface ErrorData {
  fieldErrors?: Record<string, string> | null;
  field?: string | null;
  problems?: RenderProblem[] | null;
}

/**
 * `pointer` is what the named field says when the problems are listed
 * elsewhere (the render error alert of the instance form, the YAML
 * problems of the intent form).
 */
export function instanceFormErrors(
  error: unknown,
  pointer = "See the render error at the top of the form.",
): InstanceFormErrors {
  if (!(error instanceof TRPCClientError)) {
    return { ...NO_FORM_ERRORS, form: error instanceof Error ? error.message : "Something went wrong." };
  }
  const data = (error.data ?? {}) as ErrorData;
  const fields: Record<string, string> = { ...(data.fieldErrors ?? {}) };
  const problems = data.problems ?? [];
  // A render failure is shown with its problems (file:line) in one alert; the field only gets a pointer.
  if (data.field) fields[data.field] = problems.length > 0 ? pointer : error.message;
  const named = Object.keys(fields).length > 0;
  return { fields, problems, form: problems.length > 0 || !named ? error.message : undefined };
}

export function problemLocation(p: RenderProblem): string | undefined {
  if (!p.file) return undefined;
  return p.line ? `${p.file}:${p.line}` : p.file;
}
