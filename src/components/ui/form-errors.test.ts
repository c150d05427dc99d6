import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { formErrors, NO_FORM_ERRORS, problemLocation, withoutFields } from "./form-errors";

/** A failed call as the browser receives it, with the error formatter's data. */
function failure(message: string, data: Record<string, unknown>) {
  return TRPCClientError.from({ error: { message, code: -32600, data: { code: "BAD_REQUEST", ...data } } });
}

describe("formErrors", () => {
  it("puts each invalid field's first message at its dotted path", () => {
    const error = failure("invalid", {
      zodError: {
        formErrors: [],
        fieldErrors: {
          releaseName: ["Use a DNS label.", "Too long."],
          "intent.targets.0.targetValue": ["A number."],
        },
      },
    });
    expect(formErrors(error)).toEqual({
      fields: { releaseName: "Use a DNS label.", "intent.targets.0.targetValue": "A number." },
      problems: [],
      form: undefined,
    });
  });

  it("gives a top-level form the first segment", () => {
    const error = failure("invalid", {
      zodError: { formErrors: [], fieldErrors: { "supportedIntents.1": ["Unknown intent type."] } },
    });
    expect(formErrors(error, { topLevel: true }).fields).toEqual({
      supportedIntents: "Unknown intent type.",
    });
  });

  it("shows a domain error on the field it names, or as the form's message", () => {
    const duplicate = failure("A workload named web with version 1.0.0 already exists.", {
      zodError: null,
      field: "version",
    });
    expect(formErrors(duplicate)).toEqual({
      fields: { version: "A workload named web with version 1.0.0 already exists." },
      problems: [],
      form: undefined,
    });
    expect(formErrors(failure("Not yours.", { zodError: null, field: null })).form).toBe("Not yours.");
  });

  it("lists problems together and points the field there", () => {
    const problems = [{ file: "templates/deployment.yaml", line: 12, message: "nil pointer" }];
    const error = failure("The chart does not render.", {
      zodError: null,
      field: "valuesOverride",
      problems,
    });
    expect(formErrors(error, { pointer: "See above." })).toEqual({
      fields: { valuesOverride: "See above." },
      problems,
      form: "The chart does not render.",
    });
    expect(problemLocation(problems[0]!)).toBe("templates/deployment.yaml:12");
    expect(problemLocation({ file: "Chart.yaml" })).toBe("Chart.yaml");
    expect(problemLocation({})).toBeUndefined();
  });

  it("says something for an error that is not the server's", () => {
    expect(formErrors(new Error("offline")).form).toBe("offline");
    expect(formErrors("?").form).toBe("Something went wrong.");
  });

  it("drops the messages of the fields the user changed", () => {
    const errors = { ...NO_FORM_ERRORS, fields: { a: "x", "intent.end": "y" } };
    expect(withoutFields(errors, (k) => k.startsWith("intent")).fields).toEqual({ a: "x" });
    expect(withoutFields(errors, () => false)).toBe(errors);
  });
});
