import {
  KubeconfigError,
  parseKubeconfig as parseKubeconfigText,
  type KubeconfigTarget,
} from "@/common/kubeconfig";
import { ClusterDriverError } from "./errors";

export type { ClusterCredential, KubeconfigTarget } from "@/common/kubeconfig";

/**
 * The driver side of kubeconfig reading: the same parser the browser uses,
 * with its failure typed as an INVALID_CONFIG driver error, which callers
 * branch on (a join reports it instead of retrying).
 */
export function parseKubeconfig(text: string): KubeconfigTarget {
  try {
    return parseKubeconfigText(text);
  } catch (error) {
    if (error instanceof KubeconfigError) throw new ClusterDriverError("INVALID_CONFIG", error.message);
    throw error;
  }
}
