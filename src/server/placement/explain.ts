import type { PlacementDecision } from "./decide";
import { PRIORITIZERS } from "./prioritizers";

/**
 * A decision as the console and REST show it: with a one-line explanation of
 * every prioritizer it names. The explanation is each prioritizer's own
 * `description` (prioritizers.ts), looked up by name, so a prioritizer added
 * there is explained everywhere without more code; decisions stored before
 * it existed get it too (explanations are attached when read, not stored).
 */

export interface PrioritizerExplanation {
  name: string;
  /** Its weight in this decision (0 when the decision does not say). */
  weight: number;
  /** What it rewards, one line; null for a name no prioritizer has any more (an old stored decision). */
  description: string | null;
}

export type ExplainedPlacementDecision = PlacementDecision & {
  /** Every prioritizer the decision weighed or scored, in the product's prioritizer order. */
  prioritizers: PrioritizerExplanation[];
};

const DESCRIPTIONS: ReadonlyMap<string, string> = new Map(PRIORITIZERS.map((p) => [p.name, p.description]));
const ORDER: ReadonlyMap<string, number> = new Map(PRIORITIZERS.map((p, i) => [p.name, i]));

/** The one-line explanation of a prioritizer, or null for an unknown name. */
export function prioritizerDescription(name: string): string | null {
  return DESCRIPTIONS.get(name) ?? null;
}

export function explainPlacement(decision: PlacementDecision): ExplainedPlacementDecision {
  const weights = decision.weights as Readonly<Record<string, number>>;
  const names = new Set<string>(Object.keys(weights));
  for (const score of decision.scores) for (const name of Object.keys(score.perPrioritizer)) names.add(name);
  const prioritizers = [...names]
    .sort((a, b) => (ORDER.get(a) ?? Infinity) - (ORDER.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, weight: weights[name] ?? 0, description: prioritizerDescription(name) }));
  return { ...decision, prioritizers };
}
