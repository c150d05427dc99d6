/**
 * The intent types a workload can declare it supports, with their targets,
 * units and the 3GPP TS 28.312 conditions each target accepts. Workload
 * registration uses it for the "Supported Intents" choice; the intents flow
 * extends it (contexts, defaults, evaluation), so it stays data, not logic.
 * No zod here: the console bundles the catalogue (its schema is in
 * intent-catalogue-schema.ts).
 */

/** Value conditions of 3GPP TS 28.312 (ConditionEnum) that the catalogue's targets use. */
export const CONDITIONS = [
  "IS_EQUAL_TO",
  "IS_LESS_THAN",
  "IS_GREATER_THAN",
  "IS_EQUAL_TO_OR_LESS_THAN",
  "IS_EQUAL_TO_OR_GREATER_THAN",
  "IS_WITHIN_RANGE",
  "IS_OUTSIDE_RANGE",
] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface IntentTarget {
  /** Target name as it appears in an intent's expectation (`targetName`). */
  name: string;
  label: string;
  valueType: "number" | "boolean";
  /** Unit of the value, `null` for unitless ones. */
  unit: string | null;
  /** Inclusive bounds of a sensible value, when the unit has them (percentages). */
  min?: number;
  max?: number;
  conditions: readonly Condition[];
  /**
   * The condition a new target row starts with, and the one an instance's
   * intent template gets when it names none: what people mean by the target
   * ("availability 99 %" is "at least 99 %", a usage bound is "at most").
   */
  defaultCondition: Condition;
}

export interface IntentType {
  type: string;
  label: string;
  description: string;
  targets: readonly IntentTarget[];
}

const AT_LEAST: readonly Condition[] = [
  "IS_GREATER_THAN",
  "IS_EQUAL_TO_OR_GREATER_THAN",
  "IS_EQUAL_TO",
  "IS_WITHIN_RANGE",
];
const AT_LEAST_DEFAULT: Condition = "IS_EQUAL_TO_OR_GREATER_THAN";
/** Usage targets are usually ceilings. */
const EITHER_WAY_DEFAULT: Condition = "IS_EQUAL_TO_OR_LESS_THAN";
/** Measured usage can be bounded from either side ("cpuUsage IS_GREATER_THAN 2": the instance does work). */
const EITHER_WAY: readonly Condition[] = [
  "IS_GREATER_THAN",
  "IS_EQUAL_TO_OR_GREATER_THAN",
  "IS_LESS_THAN",
  "IS_EQUAL_TO_OR_LESS_THAN",
  "IS_EQUAL_TO",
  "IS_WITHIN_RANGE",
  "IS_OUTSIDE_RANGE",
];

const percent = (name: string, label: string, conditions: readonly Condition[]): IntentTarget => ({
  name,
  label,
  valueType: "number",
  unit: "%",
  min: 0,
  max: 100,
  conditions,
  defaultCondition: conditions === AT_LEAST ? AT_LEAST_DEFAULT : EITHER_WAY_DEFAULT,
});

export const INTENT_TYPES = [
  {
    type: "Availability",
    label: "Availability",
    description: "Keep the instance available at least this share of the time.",
    targets: [percent("availability", "Target availability", AT_LEAST)],
  },
  {
    type: "GreenEnergy",
    label: "Green energy",
    description: "Run on clusters powered by at least this share of renewable energy.",
    targets: [percent("greenEnergy", "Green energy share", AT_LEAST)],
  },
  {
    type: "DeliverComputingWorkload",
    label: "Deliver computing workload",
    description: "Keep CPU, memory and disk use of the instance within bounds.",
    targets: [
      {
        name: "cpuUsage",
        label: "CPU usage",
        valueType: "number",
        unit: "millicores",
        min: 0,
        conditions: EITHER_WAY,
        defaultCondition: EITHER_WAY_DEFAULT,
      },
      {
        name: "ramUsage",
        label: "RAM usage",
        valueType: "number",
        unit: "MiB",
        min: 0,
        conditions: EITHER_WAY,
        defaultCondition: EITHER_WAY_DEFAULT,
      },
      {
        name: "diskUsage",
        label: "Disk usage",
        valueType: "number",
        unit: "GB",
        min: 0,
        conditions: EITHER_WAY,
        defaultCondition: EITHER_WAY_DEFAULT,
      },
    ],
  },
  {
    type: "MachineLearning",
    label: "Machine learning",
    description: "Place the instance where it gets GPUs and enough video memory.",
    targets: [
      {
        name: "gpu",
        label: "GPUs",
        valueType: "number",
        unit: "GPUs",
        min: 0,
        conditions: AT_LEAST,
        defaultCondition: AT_LEAST_DEFAULT,
      },
      {
        name: "vram",
        label: "Video memory",
        valueType: "number",
        unit: "GB",
        min: 0,
        conditions: AT_LEAST,
        defaultCondition: AT_LEAST_DEFAULT,
      },
    ],
  },
  {
    type: "EnergyCarbonEfficiency",
    label: "Energy and carbon efficiency",
    description: "Bound the computing energy use and favour green energy consumption.",
    targets: [
      percent("CompEnergyEfficiency", "Computing energy efficiency", AT_LEAST),
      {
        name: "CompEnergyConsumption",
        label: "Computing energy consumption",
        valueType: "number",
        unit: "kWh",
        min: 0,
        conditions: EITHER_WAY,
        defaultCondition: EITHER_WAY_DEFAULT,
      },
      percent("GreenEnergyConsumptionRate", "Green energy consumption rate", AT_LEAST),
    ],
  },
  {
    type: "cloud_continuum",
    label: "Cloud continuum network",
    description: "Connect the instance's clusters over an isolated L2 network (L2S-M).",
    targets: [
      {
        name: "isolatedConnectivity",
        label: "Isolated connectivity",
        valueType: "boolean",
        unit: null,
        conditions: ["IS_EQUAL_TO"],
        defaultCondition: "IS_EQUAL_TO",
      },
    ],
  },
] as const satisfies readonly IntentType[];

export type IntentTypeName = (typeof INTENT_TYPES)[number]["type"];

export const INTENT_TYPE_NAMES = INTENT_TYPES.map((t) => t.type) as [IntentTypeName, ...IntentTypeName[]];

/** The condition a target of that intent type starts with (its catalogue default), or undefined for an unknown target. */
export function defaultConditionOf(typeName: string, targetName: string): Condition | undefined {
  return intentType(typeName)?.targets.find((t) => t.name === targetName)?.defaultCondition;
}

export function intentType(name: string): IntentType | undefined {
  return INTENT_TYPES.find((t) => t.type === name);
}

/**
 * What an intent that leaves them out gets (TS 28.312 makes them optional in
 * a document a person writes): evaluated every minute, lowest priority first,
 * active from the moment it is stored. The console's form writes the same.
 */
export const INTENT_DEFAULTS = {
  intentAdminState: "ACTIVATED",
  intentPriority: 1,
  /** Seconds between two evaluations. */
  observationPeriod: 60,
} as const;

/**
 * An intent type as people read it: the catalogue's display name ("Green
 * energy"); a name the catalogue does not know (an old row) as it is. Every
 * view shows a type through this, with {@link intentTypeSecondary} beside it.
 */
export function intentTypeDisplayName(name: string): string {
  return intentType(name)?.label ?? name;
}

/** The 3GPP / catalogue name shown as the secondary label, or undefined when the display name is the same. */
export function intentTypeSecondary(name: string): string | undefined {
  const display = intentTypeDisplayName(name);
  return display === name ? undefined : name;
}

/** One line of text: "Green energy (GreenEnergy)", "Availability" — for titles, messages, menus. */
export function intentTypeLabel(name: string): string {
  const secondary = intentTypeSecondary(name);
  return secondary ? `${intentTypeDisplayName(name)} (${secondary})` : name;
}
