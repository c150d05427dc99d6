import { describeRequirement, evaluateCondition, type Condition, type ConditionValue } from "./conditions";
import { type ClusterProperty, type PropertyTarget } from "./request";
import { type ClusterCandidate } from "./schema";

/**
 * Why nothing fits, in terms of the intent rather than of the filter chain:
 * the targets that no cluster satisfies even on its own, each with the best
 * value the clusters offer ("no cluster offers green energy of at least 80 %
 * (highest green energy offered: 60 %)"). The filter chain stops at the first
 * rejecting filter, so counting rejections per filter would name an earlier
 * target that some clusters miss instead of the one that none can meet.
 */

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** What the clusters offer, pointed at the gap: the highest value for "more than", the lowest for "less than". */
export function bestOffered(
  property: ClusterProperty,
  condition: Condition,
  clusters: readonly ClusterCandidate[],
): string {
  const { label, unit } = property;
  if (clusters.length === 0) return `no cluster to offer ${label}`;
  if (property.kind === "string") {
    const offered = [...new Set(clusters.map((c) => property.read(c)))].sort();
    return `${label} offered: ${offered.join(", ")}`;
  }
  const values = clusters.map((c) => property.read(c));
  const highest = round(Math.max(...values));
  const lowest = round(Math.min(...values));
  if (condition === "IS_GREATER_THAN" || condition === "IS_EQUAL_TO_OR_GREATER_THAN")
    return `highest ${label} offered: ${highest}${unit}`;
  if (condition === "IS_LESS_THAN" || condition === "IS_EQUAL_TO_OR_LESS_THAN")
    return `lowest ${label} offered: ${lowest}${unit}`;
  return lowest === highest
    ? `${label} offered: ${lowest}${unit}`
    : `${label} offered: from ${lowest}${unit} to ${highest}${unit}`;
}

/** "no cluster offers green energy of at least 80 % (highest green energy offered: 60 %)". */
export function describeUnmetTarget(
  property: ClusterProperty,
  condition: Condition,
  value: ConditionValue,
  clusters: readonly ClusterCandidate[],
  who = "no cluster",
): string {
  const requirement = describeRequirement(condition, value, { unit: property.unit });
  const of = property.kind === "number" ? " of" : "";
  return `${who} offers ${property.label}${of} ${requirement} (${bestOffered(property, condition, clusters)})`;
}

/**
 * One sentence per property target that none of `clusters` satisfies on its
 * own, in request order; misconfigured targets are left to their filter's message.
 */
export function unmetTargets(
  clusters: readonly ClusterCandidate[],
  propertyTargets: readonly PropertyTarget[],
  who = "no cluster",
): string[] {
  const sentences: string[] = [];
  const seen = new Set<string>();
  for (const { target, property, misconfigured } of propertyTargets) {
    if (misconfigured) continue;
    const met = clusters.some((cluster) => {
      const outcome = evaluateCondition(target.condition, property.read(cluster), target.value);
      return outcome.ok && outcome.satisfied;
    });
    if (met) continue;
    const sentence = describeUnmetTarget(property, target.condition, target.value, clusters, who);
    // Two intents may carry the same target: say it once.
    if (seen.has(sentence)) continue;
    seen.add(sentence);
    sentences.push(sentence);
  }
  return sentences;
}
