import { type Db } from "@/server/db";
import { logger } from "@/server/logger";
import { defaultSimulatedContinuum } from "./demo-continuum";
import {
  type ClusterDriver,
  type ClusterDriverConfig,
  clusterDriverConfigSchema,
  type ClusterDriverKind,
} from "./driver";
import { ClusterDriverError } from "./errors";
import { type ClusterCredential, parseKubeconfig } from "./kubeconfig";
import { KubernetesClusterDriver, type KubernetesClusterDriverOptions } from "./kubernetes";
import { type NetworkPolicy, networkPolicyFromEnv } from "./network-policy";
import { parseSimulatedApi, specFromProperties } from "./simulated/cluster-spec";
import { SimulatedContinuum } from "./simulated/continuum";
import { type PostgresSimulatedContinuum } from "./simulated/postgres-continuum";
import { SimulatedClusterDriver } from "./simulated/simulated-driver";
import { sharedSimulatedContinuum } from "./shared-continuum";

/**
 * The dispatcher: which driver serves a registered cluster. A `sim://<name>`
 * managed API, or a kubeconfig whose current server is `sim://<name>`, means
 * the simulated continuum; anything else means the kubernetes driver. There
 * is no silent fallback from one to the other.
 */

export type ClusterTarget =
  | { kind: "simulated"; cluster: string; credential: ClusterCredential }
  | { kind: "kubernetes"; server: string; credential: ClusterCredential };

export interface ClusterDriverFactoryOptions {
  /**
   * Where `sim://` clusters live: an in-memory continuum (this process only:
   * unit tests, benchmarks, the RL loop) or a PostgreSQL-shared one. Defaults
   * to the process-wide in-memory demo continuum, unless `db` is given.
   */
  continuum?: SimulatedContinuum | PostgresSimulatedContinuum;
  /**
   * Share `sim://` clusters with every other process through this database
   * (`sharedSimulatedContinuum(db)`: demo clusters, `SIM_SEED`, wall clock).
   * What the workers and the web app pass.
   */
  db?: Db;
  /** Timeouts and Velero settings for clusters served by the kubernetes driver. */
  kubernetes?: KubernetesDriverTuning;
  /** Whether sim:// and http:// are allowed and which hosts may be reached (default: from the environment). */
  network?: NetworkPolicy;
}

export type KubernetesDriverTuning = Omit<
  KubernetesClusterDriverOptions,
  "cluster" | "kubeconfig" | "properties"
>;

function simulatedContinuumFor(
  config: ClusterDriverConfig,
  options: ClusterDriverFactoryOptions,
): SimulatedContinuum | PostgresSimulatedContinuum {
  if (options.continuum && options.db)
    throw new ClusterDriverError(
      "INVALID_CONFIG",
      "pass either a simulated continuum or a database to share it through, not both",
      { cluster: config.name },
    );
  if (options.continuum) return options.continuum;
  return options.db ? sharedSimulatedContinuum(options.db) : defaultSimulatedContinuum();
}

function parseConfig(config: ClusterDriverConfig): ClusterDriverConfig {
  const parsed = clusterDriverConfigSchema.safeParse(config);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    throw new ClusterDriverError("INVALID_CONFIG", `invalid cluster driver config: ${details}`, {
      cluster: config.name,
    });
  }
  return parsed.data;
}

/** Decides the driver from the config alone, without contacting anything. */
export function resolveClusterTarget(config: ClusterDriverConfig): ClusterTarget {
  const { name, managedApi, kubeconfig } = parseConfig(config);
  const fromKubeconfig = kubeconfig === undefined ? null : parseKubeconfig(kubeconfig);
  const credential = fromKubeconfig?.credential ?? { type: "none" };
  const apiSim = parseSimulatedApi(managedApi);
  const kubeconfigSim = fromKubeconfig ? parseSimulatedApi(fromKubeconfig.server) : null;

  if (managedApi.startsWith("sim://") && apiSim === null)
    throw new ClusterDriverError(
      "INVALID_CONFIG",
      `managed API ${managedApi} is not a valid sim://<cluster-name> URL`,
      {
        cluster: name,
      },
    );
  if (apiSim !== null && kubeconfigSim !== null && apiSim !== kubeconfigSim)
    throw new ClusterDriverError(
      "INVALID_CONFIG",
      `managed API names simulated cluster ${apiSim} but the kubeconfig names ${kubeconfigSim}`,
      { cluster: name },
    );
  const simulated = kubeconfigSim ?? apiSim;
  if (simulated !== null) return { kind: "simulated", cluster: simulated, credential };
  return { kind: "kubernetes", server: fromKubeconfig?.server ?? managedApi, credential };
}

export function resolveDriverKind(config: ClusterDriverConfig): ClusterDriverKind {
  return resolveClusterTarget(config).kind;
}

/**
 * Creates the driver for a registered cluster. Throws INVALID_CONFIG for a
 * config no driver can use (a malformed kubeconfig, an API server without one).
 */
export function createClusterDriver(
  config: ClusterDriverConfig,
  options: ClusterDriverFactoryOptions = {},
): ClusterDriver {
  const target = resolveClusterTarget(config);
  const network = options.network ?? options.kubernetes?.network ?? networkPolicyFromEnv();
  switch (target.kind) {
    case "simulated": {
      // A production console must not be gamed with fake, always-available clusters (NEMO_ALLOW_SIMULATED).
      if (!network.allowSimulated)
        throw new ClusterDriverError(
          "INVALID_CONFIG",
          `cluster ${config.name} is a simulated cluster (sim://), which this console does not allow`,
          { cluster: config.name },
        );
      const continuum = simulatedContinuumFor(config, options);
      // A sim:// cluster registered through the console joins the continuum with its registered capacity
      // (a demo cluster keeps its demo spec; a stored shared cluster keeps its stored one).
      if (config.properties) {
        const spec = specFromProperties(target.cluster, config.properties);
        if (continuum instanceof SimulatedContinuum) {
          if (!continuum.hasCluster(target.cluster)) continuum.ensureCluster(spec);
        } else continuum.registerCluster(spec);
      }
      return new SimulatedClusterDriver({
        continuum,
        cluster: target.cluster,
        credential: target.credential,
      });
    }
    case "kubernetes": {
      if (config.kubeconfig === undefined) {
        const message =
          `cluster ${config.name} (${target.server}) is a Kubernetes API server and needs a kubeconfig ` +
          `to be managed; use a sim://<name> managed API for a simulated cluster`;
        logger.error({ cluster: config.name, driver: "kubernetes" }, message);
        throw new ClusterDriverError("INVALID_CONFIG", message, { cluster: config.name });
      }
      try {
        return new KubernetesClusterDriver({
          ...options.kubernetes,
          network,
          cluster: config.name,
          kubeconfig: config.kubeconfig,
          properties: config.properties && {
            name: config.name,
            managedApi: config.managedApi,
            ...config.properties,
          },
        });
      } catch (error) {
        logger.error({ cluster: config.name, driver: "kubernetes", err: error }, "unusable kubeconfig");
        throw error;
      }
    }
  }
}
