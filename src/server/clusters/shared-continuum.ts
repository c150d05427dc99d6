import { type Db } from "@/server/db";
import { serverEnv } from "@/server/env";
import { DEMO_CONTINUUM_SPECS } from "./demo-continuum";
import { type ActiveFailure, type SimulatedFailure, type SimulatedFailureType } from "./simulated/failures";
import { PostgresSimulatedContinuum } from "./simulated/postgres-continuum";

/**
 * The simulated continuum as the product's processes share it: clusters live
 * in PostgreSQL, so the orchestrator, the IBMC agents, the evaluator and the
 * web app all operate on the same simulated clusters. Each process holds one
 * handle per database client, knowing the demo clusters' specs and seeded by
 * `SIM_SEED`; `createClusterDriver(config, { db })` registers further
 * `sim://` clusters from their registered properties.
 */

const handles = new WeakMap<Db, PostgresSimulatedContinuum>();

/** This process's handle on the shared continuum in `db` (demo clusters, `SIM_SEED`, wall clock). */
export function sharedSimulatedContinuum(db: Db): PostgresSimulatedContinuum {
  let handle = handles.get(db);
  if (!handle) {
    handle = new PostgresSimulatedContinuum({
      db,
      seed: serverEnv().SIM_SEED,
      clusters: DEMO_CONTINUUM_SPECS,
    });
    handles.set(db, handle);
  }
  return handle;
}

/**
 * Injects a failure on a shared simulated cluster; every process sees it at
 * its next operation on that cluster. Returns the failure's id. The cluster
 * must be stored already, a demo cluster, or registered in this process.
 */
export function injectSimulatedFailure(
  db: Db,
  clusterName: string,
  failure: SimulatedFailure,
): Promise<string> {
  return sharedSimulatedContinuum(db).injectFailure(clusterName, failure);
}

/** Clears a shared simulated cluster's failures (all, or of one type); returns how many were cleared. */
export function clearSimulatedFailures(
  db: Db,
  clusterName: string,
  type?: SimulatedFailureType,
): Promise<number> {
  return sharedSimulatedContinuum(db).clearFailures(clusterName, type);
}

/** Clears one failure by the id `injectSimulatedFailure` returned. */
export function clearSimulatedFailure(db: Db, clusterName: string, id: string): Promise<boolean> {
  return sharedSimulatedContinuum(db).clearFailure(clusterName, id);
}

export function listSimulatedFailures(db: Db, clusterName: string): Promise<ActiveFailure[]> {
  return sharedSimulatedContinuum(db).activeFailures(clusterName);
}

/**
 * An operator's change behind the console's back on a shared simulated
 * cluster, as `kubectl edit` / `kubectl patch` would make it: a JSON merge
 * patch of one live object (the console's applied manifest is untouched, so
 * the instance has drifted until it is re-synced). Used by the drift tests
 * and the demo (`npm run sim:operator-edit`).
 */
export function simulateOperatorEdit(
  db: Db,
  clusterName: string,
  target: { namespace: string; kind: string; name: string },
  patch: Record<string, unknown>,
): Promise<void> {
  return sharedSimulatedContinuum(db)
    .access(clusterName)
    .update((cluster) => cluster.operatorEdit(target.namespace, target.kind, target.name, patch));
}

/** An operator's `kubectl delete` of one object on a shared simulated cluster; the next apply recreates it. */
export function simulateOperatorDelete(
  db: Db,
  clusterName: string,
  target: { namespace: string; kind: string; name: string },
): Promise<void> {
  return sharedSimulatedContinuum(db)
    .access(clusterName)
    .update((cluster) => cluster.operatorDelete(target.namespace, target.kind, target.name));
}
