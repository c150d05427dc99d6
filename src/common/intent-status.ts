/**
 * The intent vocabulary of 3GPP TS 28.312 reports, shared by the evaluator,
 * the API and the console: fulfilment, the not-fulfilled states, feasibility
 * and the administrative state, with the order in which states matter when
 * several intents of one instance are summed up into one.
 */

export const FULFILMENT_STATUSES = ["FULFILLED", "NOT_FULFILLED"] as const;
export type FulfilmentStatusName = (typeof FULFILMENT_STATUSES)[number];

export const NOT_FULFILLED_STATES = [
  "ACKNOWLEDGED",
  "COMPLIANT",
  "DEGRADED",
  "SUSPENDED",
  "TERMINATED",
  "FULFILMENTFAILED",
] as const;
export type NotFulfilledStateName = (typeof NOT_FULFILLED_STATES)[number];

export const FEASIBILITY_RESULTS = ["FEASIBLE", "INFEASIBLE"] as const;
export type FeasibilityResultName = (typeof FEASIBILITY_RESULTS)[number];

export const ADMIN_STATES = ["ACTIVATED", "DEACTIVATED"] as const;
export type AdminStateName = (typeof ADMIN_STATES)[number];

/** Where an intent stands, as one word: its not-fulfilled state, or FULFILLED. */
export type IntentStanding = NotFulfilledStateName | "FULFILLED";

/**
 * Worst first, as Argo CD orders health: a failed intent outweighs a degraded
 * one, which outweighs one still being worked on; ended and suspended intents
 * say least about the instance now.
 */
export const INTENT_STANDING_PRIORITY: readonly IntentStanding[] = [
  "FULFILMENTFAILED",
  "DEGRADED",
  "ACKNOWLEDGED",
  "COMPLIANT",
  "FULFILLED",
  "SUSPENDED",
  "TERMINATED",
];

/** The standing that speaks for several intents (an instance's): the worst of them; null for none. */
export function worstStanding(standings: readonly IntentStanding[]): IntentStanding | null {
  let worst: IntentStanding | null = null;
  for (const standing of standings)
    if (
      worst === null ||
      INTENT_STANDING_PRIORITY.indexOf(standing) < INTENT_STANDING_PRIORITY.indexOf(worst)
    )
      worst = standing;
  return worst;
}
