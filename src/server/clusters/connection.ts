import type { Cluster } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import { openSecret } from "@/server/secrets";
import type { ClusterDriver, ClusterDriverConfig } from "./driver";
import { createClusterDriver } from "./driver-factory";

/**
 * From a registered cluster row to its driver: the one place that unseals
 * the stored kubeconfig (checking its content id) and passes the registered
 * capacity along. Throws SecretError when the kubeconfig fails its check.
 */
export type StoredCluster = Pick<
  Cluster,
  | "name"
  | "managedApi"
  | "kubeconfigCipher"
  | "kubeconfigSha256"
  | "cpus"
  | "memoryGb"
  | "storageGb"
  | "vramGb"
  | "availabilityPct"
  | "greenEnergyPct"
  | "cost"
  | "cpuBaseRate"
  | "memoryBaseRate"
>;

export function driverConfigOf(cluster: StoredCluster): ClusterDriverConfig {
  const kubeconfig = cluster.kubeconfigCipher
    ? openSecret(cluster.kubeconfigCipher, cluster.kubeconfigSha256 ?? undefined)
    : undefined;
  return {
    name: cluster.name,
    managedApi: cluster.managedApi,
    ...(kubeconfig !== undefined && { kubeconfig }),
    properties: {
      cpus: cluster.cpus,
      memoryGb: cluster.memoryGb,
      storageGb: cluster.storageGb,
      vramGb: cluster.vramGb,
      availabilityPct: Number(cluster.availabilityPct),
      greenEnergyPct: cluster.greenEnergyPct,
      cost: cluster.cost,
      cpuBaseRate: cluster.cpuBaseRate,
      memoryBaseRate: cluster.memoryBaseRate,
    },
  };
}

export type DriverFactory = (config: ClusterDriverConfig) => ClusterDriver;

/** The production factory: simulated clusters shared through this database, real ones through the kubeconfig. */
export function sharedDriverFactory(db: Db): DriverFactory {
  return (config) => createClusterDriver(config, { db });
}

export function driverFor(
  db: Db,
  cluster: StoredCluster,
  factory: DriverFactory = sharedDriverFactory(db),
): ClusterDriver {
  return factory(driverConfigOf(cluster));
}
