/**
 * Intent target rows as forms edit them (the instance form's intent
 * template, the Create Intent form, the "edit target value" dialog): the
 * catalogue's shape as plain data, a row's text → the API's value, and the
 * checks the browser makes per target (number, unit bounds, ranges) before
 * the server checks everything again. Pure, no React.
 */

import type { IntentTarget, IntentType } from "@/common/intent-catalogue";

/** One target of a catalogue intent type, as a page hands it to the client (any condition name). */
export type IntentTargetChoice = Omit<IntentTarget, "conditions" | "defaultCondition"> & {
  conditions: readonly string[];
  /** The catalogue's default condition; the first of `conditions` when absent. */
  defaultCondition?: string;
};

/** An intent type of the catalogue (src/server/intents/catalogue.ts), as plain data. */
export type IntentTypeChoice = Omit<IntentType, "targets"> & { targets: readonly IntentTargetChoice[] };

export interface TargetRow {
  /** Stable React key: rows can be removed from the middle. */
  key: number;
  targetName: string;
  targetCondition: string;
  targetValue: string;
}

export const RANGE_CONDITIONS: ReadonlySet<string> = new Set(["IS_WITHIN_RANGE", "IS_OUTSIDE_RANGE"]);
const NUMERIC = /^-?\d+(\.\d+)?$/;

let nextKey = 1;

/** A new row with the type's first target and that target's default condition (the catalogue's). */
export function newTargetRow(type: IntentTypeChoice | undefined): TargetRow {
  const target = type?.targets[0];
  return {
    key: nextKey++,
    targetName: target?.name ?? "",
    targetCondition: target ? defaultConditionOfChoice(target) : "",
    targetValue: "",
  };
}

/** The condition a row for this target starts with: the catalogue's default when it accepts it. */
export function defaultConditionOfChoice(target: IntentTargetChoice): string {
  const preferred = target.defaultCondition;
  return preferred !== undefined && target.conditions.includes(preferred)
    ? preferred
    : (target.conditions[0] ?? "");
}

/** A condition as words: IS_GREATER_THAN → "greater than". */
export function conditionText(condition: string): string {
  return condition.replace(/^IS_/, "").replaceAll("_", " ").toLowerCase();
}

/** The row's text as the API's value: numbers as numbers, a range as [low, high]. */
export function targetValueOf(
  text: string,
  condition: string,
  target: IntentTargetChoice | undefined,
): string | number | Array<string | number> {
  const asValue = (part: string) =>
    target?.valueType === "number" && NUMERIC.test(part) ? Number(part) : part;
  if (RANGE_CONDITIONS.has(condition)) {
    return text
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean)
      .map(asValue);
  }
  return asValue(text.trim());
}

/**
 * The rows as the API's targets. The condition is passed through as the
 * caller's condition type: the server checks it (the rows only offer the
 * catalogue's conditions).
 */
export function formTargets<C extends string>(
  rows: readonly TargetRow[],
  type: IntentTypeChoice,
): Array<{ targetName: string; targetCondition: C; targetValue: ReturnType<typeof targetValueOf> }> {
  return rows.map((row) => ({
    targetName: row.targetName,
    targetCondition: row.targetCondition as C,
    targetValue: targetValueOf(
      row.targetValue,
      row.targetCondition,
      type.targets.find((t) => t.name === row.targetName),
    ),
  }));
}

/** "0–100 %", "≥ 0 millicores": the values the target accepts, for hints and messages. */
export function boundsText(target: IntentTargetChoice): string | undefined {
  const unit = target.unit ? ` ${target.unit}` : "";
  if (target.min !== undefined && target.max !== undefined) return `${target.min}–${target.max}${unit}`;
  if (target.min !== undefined) return `≥ ${target.min}${unit}`;
  if (target.max !== undefined) return `≤ ${target.max}${unit}`;
  return undefined;
}

/** What is wrong with a value typed for this target and condition, or undefined when it is fine. */
export function targetValueError(
  text: string,
  condition: string,
  target: IntentTargetChoice | undefined,
): string | undefined {
  const value = text.trim();
  if (!value) return "Target Value is required.";
  if (!target) return undefined;
  if (target.valueType === "boolean") {
    return value === "true" || value === "false" ? undefined : "Choose true or false.";
  }
  const bounds = boundsText(target);
  const checkNumber = (part: string): string | undefined => {
    if (!NUMERIC.test(part)) return `“${part}” is not a number.`;
    const n = Number(part);
    if ((target.min !== undefined && n < target.min) || (target.max !== undefined && n > target.max)) {
      return `${target.label} must be ${bounds ?? "in range"}.`;
    }
    return undefined;
  };
  if (RANGE_CONDITIONS.has(condition)) {
    const parts = value
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    if (parts.length !== 2) return "Give two values: low, high.";
    const [low = "", high = ""] = parts;
    const problem = checkNumber(low) ?? checkNumber(high);
    if (problem) return problem;
    return Number(low) < Number(high) ? undefined : "The low value must be below the high value.";
  }
  return checkNumber(value);
}

/** Messages for every bad row, keyed `${path}.${index}.targetValue`. */
export function targetRowErrors(
  rows: readonly TargetRow[],
  type: IntentTypeChoice | undefined,
  path: string,
): Record<string, string> {
  const fields: Record<string, string> = {};
  rows.forEach((row, i) => {
    const target = type?.targets.find((t) => t.name === row.targetName);
    const problem = targetValueError(row.targetValue, row.targetCondition, target);
    if (problem) fields[`${path}.${i}.targetValue`] = problem;
  });
  return fields;
}

/** What a form says when the chosen instance's workload takes no intent. */
export const NO_SUPPORTED_INTENTS = "This workload declares no supported intents";

/**
 * The catalogue types a form offers for an instance of a workload: only
 * those it declares among its Supported Intents (the server refuses the
 * rest), in the catalogue's order. `undefined`: not known yet, offer none.
 */
export function supportedIntentChoices(
  intentTypes: readonly IntentTypeChoice[],
  supportedIntents: readonly string[] | undefined,
): IntentTypeChoice[] {
  if (!supportedIntents) return [];
  return intentTypes.filter((t) => supportedIntents.includes(t.type));
}
