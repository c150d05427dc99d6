import { TRPCClientError } from "@trpc/client";

/**
 * Per-field messages from a failed tRPC mutation: zod's flattened field
 * errors for invalid input, or the one field a domain error names (a
 * duplicate name + version is reported on "version").
 */
export interface FormErrors {
  fields: Record<string, string>;
  /** A message that belongs to no field. */
  form: string | undefined;
}

interface ErrorData {
  zodError?: { fieldErrors?: Record<string, string[] | undefined>; formErrors?: string[] } | null;
  field?: string | null;
}

export function formErrors(error: unknown): FormErrors {
  if (!(error instanceof TRPCClientError)) {
    return { fields: {}, form: error instanceof Error ? error.message : "Something went wrong." };
  }
  const data = (error.data ?? {}) as ErrorData;
  const fields: Record<string, string> = {};
  for (const [field, messages] of Object.entries(data.zodError?.fieldErrors ?? {})) {
    const first = messages?.[0];
    if (first) fields[field] = first;
  }
  if (data.field) {
    // "supportedIntents.1" belongs to the supportedIntents control.
    fields[data.field.split(".")[0] ?? data.field] = error.message;
  }
  const formMessage = data.zodError?.formErrors?.[0];
  const named = Object.keys(fields).length > 0;
  return { fields, form: named ? formMessage : (formMessage ?? error.message) };
}
