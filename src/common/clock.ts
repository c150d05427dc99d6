/**
 * Time is injected wherever a rule depends on it (pruning windows, schedules,
 * the simulation), so tests pin it and pass on any date.
 */

/** Milliseconds since the epoch. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
