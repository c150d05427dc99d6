import { parse as parseYaml } from "yaml";
import { z } from "zod";

/**
 * Reading a kubeconfig: which server the current context points at, and how
 * to authenticate (a tagged credential union, as Backstage's auth strategies
 * return). Kubeconfigs carry secrets: error messages never quote their content.
 */

export type ClusterCredential =
  | { type: "none" }
  | { type: "bearer-token"; token: string }
  | { type: "client-certificate"; certificateData: string; keyData: string }
  | { type: "exec"; command: string };

const kubeconfigSchema = z.looseObject({
  "current-context": z.string().optional(),
  clusters: z
    .array(z.looseObject({ name: z.string(), cluster: z.looseObject({ server: z.string().min(1) }) }))
    .min(1),
  contexts: z
    .array(
      z.looseObject({
        name: z.string(),
        context: z.looseObject({
          cluster: z.string(),
          user: z.string().optional(),
          namespace: z.string().optional(),
        }),
      }),
    )
    .optional(),
  users: z
    .array(
      z.looseObject({
        name: z.string(),
        user: z
          .looseObject({
            token: z.string().optional(),
            "client-certificate-data": z.string().optional(),
            "client-key-data": z.string().optional(),
            exec: z.looseObject({ command: z.string() }).optional(),
          })
          .nullable()
          .optional(),
      }),
    )
    .optional(),
});

export interface KubeconfigTarget {
  server: string;
  credential: ClusterCredential;
  context: string | null;
}

/** A kubeconfig that cannot be used; the server turns it into an INVALID_CONFIG driver error. */
export class KubeconfigError extends Error {
  override readonly name = "KubeconfigError";
}

function invalid(reason: string): KubeconfigError {
  return new KubeconfigError(`invalid kubeconfig: ${reason}`);
}

/** The server and credential of the kubeconfig's current context (or its only cluster). */
export function parseKubeconfig(text: string): KubeconfigTarget {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    throw invalid("not valid YAML");
  }
  const parsed = kubeconfigSchema.safeParse(document);
  if (!parsed.success)
    throw invalid(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  const config = parsed.data;

  const contextName = config["current-context"] ?? null;
  const context = contextName === null ? undefined : config.contexts?.find((c) => c.name === contextName);
  if (contextName !== null && !context) throw invalid(`current-context ${contextName} is not defined`);
  if (!context && config.clusters.length > 1) throw invalid("several clusters and no current-context");

  const cluster = context
    ? config.clusters.find((c) => c.name === context.context.cluster)
    : config.clusters[0];
  if (!cluster) throw invalid(`context ${contextName} refers to an undefined cluster`);

  const userName = context?.context.user;
  const user = userName === undefined ? undefined : config.users?.find((u) => u.name === userName)?.user;
  let credential: ClusterCredential = { type: "none" };
  if (user?.token) credential = { type: "bearer-token", token: user.token };
  else if (user?.["client-certificate-data"] && user["client-key-data"])
    credential = {
      type: "client-certificate",
      certificateData: user["client-certificate-data"],
      keyData: user["client-key-data"],
    };
  else if (user?.exec) credential = { type: "exec", command: user.exec.command };

  return { server: cluster.cluster.server, credential, context: contextName };
}
