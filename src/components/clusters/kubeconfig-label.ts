/**
 * What the cluster page says about a cluster's kubeconfig. A seeded demo
 * cluster (`sim://`, simulated driver) never had one; saying "deleted" there
 * sent people looking for a deletion that never happened.
 */
export interface KubeconfigLabel {
  text: string;
  /** The full content id, for the tooltip. */
  title?: string;
  /** Shown as a content id (monospace) rather than as a sentence. */
  mono: boolean;
}

export function kubeconfigLabel(cluster: {
  kubeconfigContentId: string | null;
  managedApi: string | null;
  driver: string;
}): KubeconfigLabel {
  const id = cluster.kubeconfigContentId;
  if (id) return { text: `${id.slice(0, 12)}…`, title: id, mono: true };
  if (cluster.driver === "SIMULATED" || cluster.managedApi?.startsWith("sim://")) {
    return { text: "Simulated cluster — no kubeconfig", mono: false };
  }
  return { text: "No kubeconfig stored", mono: false };
}
