import type { InstanceStatus } from "@/generated/prisma/enums";
import {
  CLUSTER_PROPERTIES,
  compileCondition,
  describeRequirement,
  describeUnmetTarget,
  propertyOfTarget,
  type ClusterCandidate,
  type ClusterProperty,
  type Condition,
  type ConditionValue,
} from "@/server/placement";
import { INTENT_TYPES } from "@/common/intent-catalogue";
import { energyKwhPerPeriod } from "./energy-model";
import { readStoredTargets, type StoredTarget, type TargetValue } from "./model";

export type { StoredTarget, TargetValue } from "./model";
import {
  lifecycleReport,
  type AchievedValue,
  type FeasibilityResultName,
  type FulfilmentStatusName,
  type IntentReportDraft,
  type NotFulfilledStateName,
  type StoredTargetResult,
} from "./report";

/**
 * The intent evaluator's judgement (PPEF), pure: given an intent, the state of
 * its instance, the registered clusters and the instance's measured usage,
 * the report (fulfilment per target, feasibility, not-fulfilled state) and
 * whether the intent's owner (the IBMC) must hear about it. The database
 * cycle around it is `evaluator.ts`.
 *
 * What each target measures (names match case- and punctuation-insensitively,
 * as in placement):
 * - availability, greenEnergy, gpu, vram (and the other cluster properties
 *   placement knows): the property of the cluster the instance runs on, read
 *   through placement's `propertyOfTarget`, so both judge a cluster alike.
 * - cpuUsage (millicores), ramUsage (MiB), diskUsage (GB = MiB / 1024): the
 *   instance's current usage as its cluster's driver reports it.
 * - EnergyCarbonEfficiency, with the energy model of `energy-model.ts`:
 *   CompEnergyConsumption is the instance's energy per day at its current
 *   rate, GreenEnergyConsumptionRate the cluster's green-energy share,
 *   CompEnergyEfficiency the cluster's CPU utilisation.
 * - isolatedConnectivity: not measurable until the network controller exists;
 *   reported NOT_FULFILLED / ACKNOWLEDGED, never as a violation.
 *
 * Selectivity (`contextSelectivity`): ALL_OF (the default) needs every target
 * fulfilled; ANY_OF and ONE_OF are read as "one fulfilled target suffices"
 * (the standard defines selectivity over contexts; this is the product's
 * reading for targets).
 *
 * Feasibility asks whether any registered OK cluster could ever satisfy the
 * targets: property targets need one cluster satisfying all of them together;
 * usage targets need their satisfying set to meet [0, capacity of the largest
 * OK cluster]. A target that cannot be judged (unknown name, a value that does
 * not fit its condition) makes the intent INFEASIBLE too.
 */

const round = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

// ---------------------------------------------------------------------------
// Inputs

export type InstanceStatusName = InstanceStatus;

/** A registered cluster as the evaluator sees it. */
export interface EvaluationCluster {
  /** Placement's view: the properties that property targets read. */
  candidate: ClusterCandidate;
  storageGb: number;
  /** Millicores in use across the cluster (its usage sample), null when not read or unreadable. */
  cpuInUseMillicores: number | null;
}

/** The instance's usage as its cluster's driver reported it, or why it could not be read. */
export type UsageReading =
  { ok: true; cpuMillicores: number; memoryMiB: number; diskMiB: number } | { ok: false; reason: string };

export interface EvaluationSubject {
  intentType: string;
  /**
   * Stored normal form (`Intent.body`), or its targets already read with
   * {@link readIntent} (what a cache across cycles keeps instead of the body).
   */
  body: unknown;
  targets?: readonly StoredTarget[];
  /** The `context_selectivity` column; the body's own is used when absent. */
  contextSelectivity?: string | null;
  instance: {
    id: string;
    /** How reasons name the instance, e.g. "web-1a2b3c4". */
    label: string;
    status: InstanceStatusName;
    statusReason: string | null;
    clusterId: string | null;
    /** A Migration row is active for the instance (`activeInstanceId`). */
    migrationInFlight: boolean;
  };
  /** Null when not read (no usage target, or the instance is not running). */
  usage: UsageReading | null;
}

// ---------------------------------------------------------------------------
// Stored targets: read by `readStoredTargets` (model.ts), the reader placement and the tables share.

export type Selectivity = "ALL_OF" | "ANY_OF";

function selectivityOf(column: string | null | undefined, body: unknown): Selectivity {
  const stored =
    column ??
    (typeof body === "object" && body !== null && "contextSelectivity" in body
      ? body.contextSelectivity
      : undefined);
  return stored === "ANY_OF" || stored === "ONE_OF" ? "ANY_OF" : "ALL_OF";
}

/** What the evaluation needs of a stored intent: its targets and how they combine. */
export function readIntent(
  body: unknown,
  contextSelectivity: string | null,
): { targets: StoredTarget[]; contextSelectivity: Selectivity } {
  return { targets: readStoredTargets(body), contextSelectivity: selectivityOf(contextSelectivity, body) };
}

// ---------------------------------------------------------------------------
// What a target measures

export type UsageResource = "cpu" | "ram" | "disk" | "energy";

export type Measurement =
  | { kind: "property"; property: ClusterProperty }
  | { kind: "usage"; resource: UsageResource }
  | { kind: "utilisation" }
  | { kind: "isolatedConnectivity" }
  | { kind: "unknown" };

/** "cpuUsage", "CPU_usage" and "cpu-usage" name the same target. */
const normalise = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, "");

const USAGE_TARGETS: ReadonlyMap<string, UsageResource> = new Map<string, UsageResource>([
  ["cpuusage", "cpu"],
  ["ramusage", "ram"],
  ["memoryusage", "ram"],
  ["diskusage", "disk"],
  ["compenergyconsumption", "energy"],
]);

/** Catalogue unit of every target name (the names are unique across intent types). */
const CATALOGUE_UNITS: ReadonlyMap<string, string | null> = new Map(
  INTENT_TYPES.flatMap((type) => type.targets.map((t) => [normalise(t.name), t.unit] as const)),
);

export function measurementOf(targetName: string, value: TargetValue): Measurement {
  const name = normalise(targetName);
  const usage = USAGE_TARGETS.get(name);
  if (usage) return { kind: "usage", resource: usage };
  if (name === "greenenergyconsumptionrate")
    return { kind: "property", property: CLUSTER_PROPERTIES.greenEnergy };
  if (name === "compenergyefficiency") return { kind: "utilisation" };
  if (name === "isolatedconnectivity") return { kind: "isolatedConnectivity" };
  // The intent type does not matter to propertyOfTarget; only the name and value do.
  const property = propertyOfTarget({ intentType: "", targetName, condition: "IS_EQUAL_TO", value });
  return property ? { kind: "property", property } : { kind: "unknown" };
}

/** Whether judging the target needs the instance's usage read from its cluster. */
export const needsInstanceUsage = (m: Measurement): boolean => m.kind === "usage";
/** Whether judging the target needs the cluster's own usage sample. */
export const needsClusterUsage = (m: Measurement): boolean => m.kind === "utilisation";

export const ISOLATED_CONNECTIVITY_REASON =
  "isolated connectivity is enforced by the network controller, which is not available yet";

const RESOURCE_NOUN: Record<UsageResource | "utilisation", string> = {
  cpu: "CPU",
  ram: "memory",
  disk: "storage",
  energy: "computing energy per day at full load",
  utilisation: "CPU utilisation",
};

// ---------------------------------------------------------------------------
// Compiled targets (once per distinct target and cycle)

interface CompiledTarget {
  name: string;
  condition: string;
  value: TargetValue;
  measurement: Measurement;
  /** Catalogue unit, stored with the result. */
  unit: string | null;
  /** Appended to numbers in sentences (" %", " millicores"). */
  suffix: string;
  test: ((actual: number | string) => boolean) | null;
  /** Why the target cannot be judged at all (unknown name, value that does not fit the condition). */
  problem: string | null;
  /** Why no OK cluster could ever satisfy this target on its own. */
  infeasible: string | null;
  /** Property targets: which OK clusters (by index) satisfy it. */
  okMask: Uint8Array | null;
  /** The requirement in words ("more than 2 millicores"), made when first needed. */
  required?: string;
}

function unitOf(name: string, measurement: Measurement): { unit: string | null; suffix: string } {
  const catalogue = CATALOGUE_UNITS.get(normalise(name));
  if (catalogue !== undefined) return { unit: catalogue, suffix: catalogue ? ` ${catalogue}` : "" };
  if (measurement.kind === "property") {
    const unit = measurement.property.unit.trim();
    return { unit: unit === "" ? null : unit, suffix: measurement.property.unit };
  }
  return { unit: null, suffix: "" };
}

function formatAchieved(value: AchievedValue, suffix: string): string {
  return typeof value === "number" ? `${value}${suffix}` : String(value);
}

/** Whether a number in [0, max] can satisfy the (validated) numeric condition. */
function reachable(condition: Condition, value: ConditionValue, max: number): boolean {
  const inRange = (v: number) => v >= 0 && v <= max;
  switch (condition) {
    case "IS_GREATER_THAN":
      return max > (value as number);
    case "IS_EQUAL_TO_OR_GREATER_THAN":
      return max >= (value as number);
    case "IS_LESS_THAN":
      return (value as number) > 0;
    case "IS_EQUAL_TO_OR_LESS_THAN":
      return (value as number) >= 0;
    case "IS_EQUAL_TO":
      return inRange(value as number);
    case "IS_WITHIN_RANGE": {
      const [low, high] = value as readonly number[] as [number, number];
      return low <= max && high >= 0;
    }
    case "IS_OUTSIDE_RANGE": {
      const [low, high] = value as readonly number[] as [number, number];
      return low > 0 || high < max;
    }
    case "IS_ONE_OF":
      return (value as readonly number[]).some(inRange);
    case "IS_NOT_ONE_OF":
      // Usage is continuous: only a cluster with no capacity at all is pinned to 0.
      return !(max === 0 && (value as readonly number[]).includes(0));
    case "IS_ALL_OF": {
      const list = value as readonly number[];
      return list.every((v) => v === list[0]) && inRange(list[0] as number);
    }
  }
}

function unreachableReason(
  target: { name: string; condition: Condition; value: ConditionValue; suffix: string },
  noun: string,
  max: number,
): string {
  const { condition, value, suffix } = target;
  const largest = `${round(max, 3)}${suffix}`;
  if (condition === "IS_GREATER_THAN")
    return `no registered cluster has more than ${String(value)}${suffix} of ${noun}: the largest has ${largest}`;
  if (condition === "IS_EQUAL_TO_OR_GREATER_THAN")
    return `no registered cluster has ${String(value)}${suffix} of ${noun}: the largest has ${largest}`;
  return (
    `${target.name} ${describeRequirement(condition, value, { unit: suffix })} is out of reach: ` +
    `${noun} lies between 0 and ${largest} on the largest registered cluster`
  );
}

// ---------------------------------------------------------------------------
// The evaluator

// Hot-path helpers live at module level: a closure made per call is what a
// cycle over 100,000 intents would spend its time creating.

/** Why a target can never be met on its own, if it cannot. */
function ownProblem(t: CompiledTarget): string | null {
  return t.problem ?? t.infeasible;
}

function targetResult(
  stored: StoredTarget,
  target: CompiledTarget,
  outcome: TargetOutcome,
  achieved: AchievedValue,
  reason?: string,
): JudgedTarget {
  const result: StoredTargetResult = {
    expectationId: stored.expectationId,
    targetName: stored.targetName,
    targetCondition: stored.targetCondition,
    targetValueRange: stored.targetValue,
    unit: target.unit,
    fulfilmentStatus: outcome === "fulfilled" ? "FULFILLED" : "NOT_FULFILLED",
    targetAchievedValue: achieved,
  };
  if (reason !== undefined) result.reason = reason;
  return { outcome, result };
}

export interface Evaluator {
  /** The report of one intent. */
  evaluate(subject: EvaluationSubject): IntentReportDraft;
}

const MiB = 1024 * 1024;

type TargetOutcome = "fulfilled" | "violated" | "pending" | "unjudgeable";

interface JudgedTarget {
  result: StoredTargetResult;
  outcome: TargetOutcome;
}

/**
 * An evaluator over one view of the registered clusters (one cycle). Distinct
 * targets are compiled once (condition, unit, feasibility, which clusters
 * satisfy them), which is what makes 100,000 intents cheap: most share targets.
 */
export function createEvaluator(clusters: readonly EvaluationCluster[]): Evaluator {
  const byId = new Map(clusters.map((c) => [c.candidate.id, c]));
  // Where an instance could go: OK and not cordoned (a drained cluster takes no placements, so it makes nothing feasible).
  const ok = clusters.filter((c) => c.candidate.status === "OK" && c.candidate.cordoned !== true);
  const largest = (read: (c: EvaluationCluster) => number): number =>
    ok.reduce((max, c) => Math.max(max, read(c)), 0);
  const maxima: Record<UsageResource | "utilisation", number> = {
    cpu: largest((c) => c.candidate.capacity.cpuMillicores),
    ram: largest((c) => c.candidate.capacity.memoryBytes / MiB),
    disk: largest((c) => c.storageGb),
    energy: largest((c) =>
      energyKwhPerPeriod(c.candidate.capacity.cpuMillicores, c.candidate.capacity.memoryBytes / MiB),
    ),
    utilisation: 100,
  };
  // name → condition → value (scalars as themselves, lists by their JSON): no key string built per lookup.
  const compiled = new Map<string, Map<string, Map<string | number, CompiledTarget>>>();
  const combinations = new Map<string, string | null>();

  function compile(name: string, condition: string, value: TargetValue): CompiledTarget {
    let byCondition = compiled.get(name);
    if (!byCondition)
      compiled.set(name, (byCondition = new Map<string, Map<string | number, CompiledTarget>>()));
    let byValue = byCondition.get(condition);
    if (!byValue) byCondition.set(condition, (byValue = new Map<string | number, CompiledTarget>()));
    // Lists get a prefix no stored string starts with, so "[1,2]" and [1, 2] stay apart.
    const key = Array.isArray(value) ? `\u0000${JSON.stringify(value)}` : value;
    const known = byValue.get(key);
    if (known) return known;
    const measurement = measurementOf(name, value);
    const { unit, suffix } = unitOf(name, measurement);
    const target: CompiledTarget = {
      name,
      condition,
      value,
      measurement,
      unit,
      suffix,
      test: null,
      problem: null,
      infeasible: null,
      okMask: null,
    };
    if (measurement.kind === "unknown") {
      target.problem = `unknown target ${name}: the evaluator cannot measure it`;
    } else if (measurement.kind !== "isolatedConnectivity") {
      const kind = measurement.kind === "property" ? measurement.property.kind : "number";
      const check =
        kind === "number"
          ? compileCondition(condition, value, "number")
          : compileCondition(condition, value, "string");
      if (!check.ok) {
        target.problem = `${name} cannot be judged: ${check.message}`;
      } else {
        const test = check.test as (actual: number | string) => boolean;
        target.test = test;
        const c = condition as Condition;
        if (measurement.kind === "property") {
          const property = measurement.property;
          const mask = new Uint8Array(ok.length);
          ok.forEach((cluster, i) => (mask[i] = test(property.read(cluster.candidate)) ? 1 : 0));
          target.okMask = mask;
          if (!mask.includes(1))
            target.infeasible =
              ok.length === 0
                ? "no registered cluster is OK and taking placements"
                : describeUnmetTarget(
                    property,
                    c,
                    value,
                    ok.map((cluster) => cluster.candidate),
                    "no registered cluster",
                  );
        } else {
          const resource = measurement.kind === "usage" ? measurement.resource : "utilisation";
          if (ok.length === 0) target.infeasible = "no registered cluster is OK and taking placements";
          else if (!reachable(c, value, maxima[resource]))
            target.infeasible = unreachableReason(
              { name, condition: c, value, suffix },
              RESOURCE_NOUN[resource],
              maxima[resource],
            );
        }
      }
    }
    byValue.set(key, target);
    return target;
  }

  /** Why no single OK cluster satisfies these property targets together (null when one does). */
  function combinedPropertyProblem(targets: readonly CompiledTarget[]): string | null {
    const properties = targets.filter((t) => t.okMask !== null);
    if (properties.length < 2) return null;
    const key = properties
      .map((t) => `${t.name}\u0001${t.condition}\u0001${JSON.stringify(t.value)}`)
      .join("\u0002");
    const known = combinations.get(key);
    if (known !== undefined) return known;
    let problem: string | null = null;
    const satisfiedByOne = ok.some((_, i) => properties.every((t) => t.okMask![i] === 1));
    if (!satisfiedByOne) {
      // Each target in words ("green energy of more than 50 %"): the reader sees which ones clash.
      const wanted = [
        ...new Set(
          properties.map((t) => {
            const property = (t.measurement as Extract<Measurement, { kind: "property" }>).property;
            const of = property.kind === "number" ? " of" : "";
            const requirement = describeRequirement(t.condition as Condition, t.value, {
              unit: property.unit,
            });
            return `${property.label}${of} ${requirement}`;
          }),
        ),
      ];
      problem = `no single cluster offers ${wanted.join(" and ")} together`;
    }
    combinations.set(key, problem);
    return problem;
  }

  function feasibilityOf(
    targets: readonly CompiledTarget[],
    selectivity: Selectivity,
  ): { feasibility: FeasibilityResultName; infeasibilityReason: string | null } {
    if (selectivity === "ANY_OF") {
      if (targets.length === 0 || targets.some((t) => ownProblem(t) === null))
        return { feasibility: "FEASIBLE", infeasibilityReason: null };
      return { feasibility: "INFEASIBLE", infeasibilityReason: ownProblem(targets[0]!) };
    }
    const first = targets.map(ownProblem).find((reason) => reason !== null);
    const reason = first ?? combinedPropertyProblem(targets);
    return reason === null
      ? { feasibility: "FEASIBLE", infeasibilityReason: null }
      : { feasibility: "INFEASIBLE", infeasibilityReason: reason };
  }

  function judge(
    stored: StoredTarget,
    target: CompiledTarget,
    subject: EvaluationSubject,
    cluster: EvaluationCluster | undefined,
  ): JudgedTarget {
    if (target.problem) return targetResult(stored, target, "unjudgeable", null, target.problem);
    const m = target.measurement;
    if (m.kind === "isolatedConnectivity")
      return targetResult(stored, target, "pending", null, ISOLATED_CONNECTIVITY_REASON);

    let achieved: number | string;
    if (m.kind === "property" || m.kind === "utilisation") {
      if (!cluster)
        return targetResult(
          stored,
          target,
          "violated",
          null,
          `${target.name} could not be measured: the cluster of instance ${subject.instance.label} is not registered`,
        );
      if (m.kind === "property") achieved = m.property.read(cluster.candidate);
      else {
        const capacity = cluster.candidate.capacity.cpuMillicores;
        if (cluster.cpuInUseMillicores === null || capacity <= 0)
          return targetResult(
            stored,
            target,
            "violated",
            null,
            `${target.name} could not be measured: the usage of cluster ${cluster.candidate.name} was not read`,
          );
        achieved = round((cluster.cpuInUseMillicores / capacity) * 100, 2);
      }
    } else if (m.kind === "usage") {
      const usage = subject.usage;
      if (!usage || !usage.ok)
        return targetResult(
          stored,
          target,
          "violated",
          null,
          `${target.name} could not be measured: ${usage?.reason ?? "the usage of the instance was not read"}`,
        );
      achieved =
        m.resource === "cpu"
          ? usage.cpuMillicores
          : m.resource === "ram"
            ? usage.memoryMiB
            : m.resource === "disk"
              ? round(usage.diskMiB / 1024, 3)
              : energyKwhPerPeriod(usage.cpuMillicores, usage.memoryMiB);
    } else {
      return targetResult(stored, target, "unjudgeable", null, `unknown target ${target.name}`);
    }
    if (target.test!(achieved)) return targetResult(stored, target, "fulfilled", achieved);
    target.required ??= describeRequirement(target.condition as Condition, target.value, {
      unit: target.suffix,
    });
    const required = target.required;
    return targetResult(
      stored,
      target,
      "violated",
      achieved,
      `${target.name} is ${formatAchieved(achieved, target.suffix)}, needs ${required}`,
    );
  }

  /** Results of targets that were not measured because the instance does not run. */
  function unmeasured(stored: readonly StoredTarget[], targets: readonly CompiledTarget[], reason: string) {
    return stored.map((s, i): StoredTargetResult => ({
      expectationId: s.expectationId,
      targetName: s.targetName,
      targetCondition: s.targetCondition,
      targetValueRange: s.targetValue,
      unit: targets[i]!.unit,
      fulfilmentStatus: "NOT_FULFILLED",
      targetAchievedValue: null,
      reason: targets[i]!.problem ?? reason,
    }));
  }

  function notFulfilledReport(
    state: NotFulfilledStateName,
    reasons: string[],
    feasibility: { feasibility: FeasibilityResultName; infeasibilityReason: string | null },
    targetResults: StoredTargetResult[],
  ): IntentReportDraft {
    return {
      fulfilmentStatus: "NOT_FULFILLED",
      notFulfilledState: state,
      notFulfilledReasons: reasons,
      ...feasibility,
      targetResults,
    };
  }

  return {
    evaluate(subject) {
      const stored = subject.targets ?? readStoredTargets(subject.body);
      const selectivity = selectivityOf(subject.contextSelectivity, subject.body);
      const targets = stored.map((s) => compile(s.targetName, s.targetCondition, s.targetValue));
      const feasibility = feasibilityOf(targets, selectivity);
      const { instance } = subject;
      const label = `instance ${instance.label}`;

      if (stored.length === 0)
        return notFulfilledReport(
          "ACKNOWLEDGED",
          ["the intent has no expectation targets to evaluate"],
          feasibility,
          [],
        );
      switch (instance.status) {
        case "DELETED": {
          const reason = `${label} was deleted`;
          return lifecycleReport("TERMINATED", reason, {
            ...feasibility,
            targetResults: unmeasured(stored, targets, reason),
          });
        }
        case "FAILED": {
          const reason = `${label} failed${instance.statusReason ? `: ${instance.statusReason}` : ""}`;
          return notFulfilledReport(
            "FULFILMENTFAILED",
            [reason],
            feasibility,
            unmeasured(stored, targets, reason),
          );
        }
        case "CREATED":
        case "RENDERED":
        case "DEPLOYING":
        case "DELETING": {
          const reason =
            instance.status === "DELETING" ? `${label} is being deleted` : `${label} is not deployed yet`;
          return notFulfilledReport(
            "ACKNOWLEDGED",
            [reason],
            feasibility,
            unmeasured(stored, targets, reason),
          );
        }
        case "DEPLOYED":
        case "MIGRATING":
          break;
      }

      const cluster = instance.clusterId === null ? undefined : byId.get(instance.clusterId);
      const judged = stored.map((s, i) => judge(s, targets[i]!, subject, cluster));
      const targetResults = judged.map((j) => j.result);
      const fulfilled =
        selectivity === "ANY_OF"
          ? judged.some((j) => j.outcome === "fulfilled")
          : judged.every((j) => j.outcome === "fulfilled");
      const migrating = instance.status === "MIGRATING" || instance.migrationInFlight;

      if (fulfilled && instance.status !== "MIGRATING")
        return {
          fulfilmentStatus: "FULFILLED",
          notFulfilledState: null,
          notFulfilledReasons: [],
          ...feasibility,
          targetResults,
        };
      const reasons = judged.flatMap((j) => (j.outcome === "fulfilled" ? [] : [j.result.reason!]));
      if (feasibility.infeasibilityReason && !reasons.includes(feasibility.infeasibilityReason))
        reasons.unshift(feasibility.infeasibilityReason);
      let state: NotFulfilledStateName;
      if (feasibility.feasibility === "INFEASIBLE") state = "FULFILMENTFAILED";
      else if (migrating) {
        state = "COMPLIANT";
        reasons.unshift(`${label} is migrating`);
      } else if (judged.every((j) => j.outcome === "fulfilled" || j.outcome === "pending"))
        state = "ACKNOWLEDGED";
      else state = "DEGRADED";
      return notFulfilledReport(state, reasons, feasibility, targetResults);
    },
  };
}

// ---------------------------------------------------------------------------
// Notification

/** States that call for action by the intent's owner (the IBMC may migrate). */
const ACTIONABLE: ReadonlySet<NotFulfilledStateName> = new Set(["DEGRADED", "FULFILMENTFAILED"]);

export interface FulfilmentTransition {
  /** What `Intent.lastFulfilment` becomes. */
  lastFulfilment: FulfilmentStatusName | null;
  /** Whether to announce `violated` on `intent-notify`. */
  notify: boolean;
}

/**
 * `lastFulfilment` remembers the last *judged* outcome: FULFILLED, or
 * NOT_FULFILLED in an actionable state (DEGRADED, FULFILMENTFAILED). The
 * other states (not deployed yet, migrating, not measurable, terminated) leave
 * it as it was, so an intent that was waiting for its instance and then turns
 * out violated still counts as a new violation. A violation is announced once
 * per transition into it: repeating it changes nothing, fulfilling the
 * intent again re-arms it.
 */
export function fulfilmentTransition(
  previous: FulfilmentStatusName | null,
  report: Pick<IntentReportDraft, "fulfilmentStatus" | "notFulfilledState">,
): FulfilmentTransition {
  if (report.fulfilmentStatus === "FULFILLED") return { lastFulfilment: "FULFILLED", notify: false };
  if (report.notFulfilledState && ACTIONABLE.has(report.notFulfilledState))
    return { lastFulfilment: "NOT_FULFILLED", notify: previous !== "NOT_FULFILLED" };
  return { lastFulfilment: previous, notify: false };
}
