import { TRPCClientError } from "@trpc/client";
import type { Problem, ProblemLocation } from "@/common/problem";

/**
 * The console's one form-error model: what a failed tRPC mutation means for
 * a form. The server sends invalid input once (`zodError`: messages keyed
 * by the dotted input path, "releaseName", "intent.targets.0.targetValue"),
 * a domain error's one field (`field`: a duplicate name + version on
 * "version") and, for a chart or YAML, its problems (file and line).
 */
export interface FormErrors {
  /** The first message per field, keyed by the input path (or its first segment, with `topLevel`). */
  fields: Record<string, string>;
  /** A chart's render problems or an intent YAML's problems, shown together in one alert. */
  problems: Problem[];
  /** A message that belongs to no field. */
  form: string | undefined;
}

export const NO_FORM_ERRORS: FormErrors = { fields: {}, problems: [], form: undefined };

/** The error data the tRPC error formatter (src/server/api/trpc.ts) adds. */
interface ErrorData {
  zodError?: { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> } | null;
  field?: string | null;
  problems?: Problem[] | null;
}

export interface FormErrorOptions {
  /**
   * What the named field says when problems are listed elsewhere (the render
   * error alert of the instance form, the YAML problems of the intent form).
   */
  pointer?: string;
  /**
   * Forms whose controls are top-level fields only: "supportedIntents.1"
   * belongs to the supportedIntents control.
   */
  topLevel?: boolean;
}

export function formErrors(error: unknown, options: FormErrorOptions = {}): FormErrors {
  if (!(error instanceof TRPCClientError)) {
    return { ...NO_FORM_ERRORS, form: error instanceof Error ? error.message : "Something went wrong." };
  }
  const { pointer = "See the render error at the top of the form.", topLevel = false } = options;
  const data = (error.data ?? {}) as ErrorData;
  const keyOf = (path: string) => (topLevel ? (path.split(".")[0] ?? path) : path);
  const fields: Record<string, string> = {};
  for (const [path, messages] of Object.entries(data.zodError?.fieldErrors ?? {})) {
    const first = messages?.[0];
    if (first && !(keyOf(path) in fields)) fields[keyOf(path)] = first;
  }
  const problems = data.problems ?? [];
  // Problems (file:line) are shown together in one alert; the field only points there.
  if (data.field) fields[keyOf(data.field)] = problems.length > 0 ? pointer : error.message;
  const formMessage = data.zodError?.formErrors?.[0];
  const named = Object.keys(fields).length > 0;
  return {
    fields,
    problems,
    form: problems.length > 0 ? error.message : named ? formMessage : (formMessage ?? error.message),
  };
}

/** `errors` without the field messages whose path matches (the user changed those fields). */
export function withoutFields(errors: FormErrors, match: (path: string) => boolean): FormErrors {
  if (!Object.keys(errors.fields).some(match)) return errors;
  return { ...errors, fields: Object.fromEntries(Object.entries(errors.fields).filter(([k]) => !match(k))) };
}

/** "templates/deployment.yaml:12", or undefined for a problem without a file. */
export function problemLocation(p: ProblemLocation): string | undefined {
  if (!p.file) return undefined;
  return p.line ? `${p.file}:${p.line}` : p.file;
}
