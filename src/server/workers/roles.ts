/** Every background worker role of the product (docs/architecture.md#1-processes), one process each. */
export const WORKER_ROLES = [
  "orchestrator",
  "ibmc-controller",
  "ibmc-agent",
  "evaluator",
  "moca",
  "cfdrl",
  "indexer",
  "see",
] as const;

export type WorkerRole = (typeof WORKER_ROLES)[number];

export function isWorkerRole(value: string): value is WorkerRole {
  return (WORKER_ROLES as readonly string[]).includes(value);
}
