import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { clusterServerUrlProblem } from "./cluster-url";
import { yamlNestingMessage, yamlNestingTooDeep } from "./yaml-nesting";

/**
 * Reading a kubeconfig: which server the current context points at, and how
 * to authenticate. A kubeconfig is hostile input: the Kubernetes client
 * would run its `exec` and `auth-provider` commands, read the files it names
 * and send their contents, proxy and impersonate as it says. So only inline
 * credentials pass (an allow-list, per entry); any other key is refused and
 * named, and the server builds its client from the parsed fields only.
 * Kubeconfigs carry secrets: error messages never quote their values.
 */

export type ClusterCredential =
  | { type: "none" }
  | { type: "bearer-token"; token: string }
  | { type: "client-certificate"; certificateData: string; keyData: string };

/** How to trust the API server: only inline material, never a file. */
export interface ClusterTls {
  /** Base64 PEM bundle (`certificate-authority-data`). */
  certificateAuthorityData?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
}

export interface KubeconfigTarget {
  server: string;
  credential: ClusterCredential;
  tls: ClusterTls;
  context: string | null;
}

/**
 * Keys accepted per entry. `extensions` is inert metadata (minikube and kind
 * write it) that nothing reads; everything else not listed is refused.
 */
const TOP_LEVEL_KEYS = new Set([
  "apiVersion",
  "kind",
  "preferences",
  "current-context",
  "clusters",
  "contexts",
  "users",
  "extensions",
]);
const CLUSTER_KEYS = new Set([
  "server",
  "certificate-authority-data",
  "insecure-skip-tls-verify",
  "tls-server-name",
  "extensions",
]);
const CONTEXT_KEYS = new Set(["cluster", "user", "namespace", "extensions"]);
const USER_KEYS = new Set(["token", "client-certificate-data", "client-key-data", "extensions"]);

/** A kubeconfig that cannot be used; the server turns it into an INVALID_CONFIG driver error. */
export class KubeconfigError extends Error {
  override readonly name = "KubeconfigError";
  constructor(
    message: string,
    /** The refused key's path (`users[0].user.exec`), when a key was refused. */
    readonly key?: string,
  ) {
    super(message);
  }
}

function invalid(reason: string): KubeconfigError {
  return new KubeconfigError(`invalid kubeconfig: ${reason}`);
}

function refused(path: string, allowed: ReadonlySet<string>): KubeconfigError {
  const accepted = [...allowed].filter((key) => key !== "extensions").join(", ");
  return new KubeconfigError(
    `invalid kubeconfig: ${path} is not allowed (only inline settings are accepted here: ${accepted})`,
    path,
  );
}

const stringField = z.string();
const kubeconfigSchema = z.object({
  "current-context": z.string().optional(),
  clusters: z
    .array(
      z.object({
        name: z.string(),
        cluster: z.object({
          server: z.string().min(1),
          "certificate-authority-data": stringField.optional(),
          "insecure-skip-tls-verify": z.boolean().optional(),
          "tls-server-name": stringField.optional(),
        }),
      }),
    )
    .min(1),
  contexts: z
    .array(
      z.object({
        name: z.string(),
        context: z.object({
          cluster: z.string(),
          user: z.string().optional(),
          namespace: z.string().optional(),
        }),
      }),
    )
    .nullable()
    .optional(),
  users: z
    .array(
      z.object({
        name: z.string(),
        user: z
          .object({
            token: stringField.optional(),
            "client-certificate-data": stringField.optional(),
            "client-key-data": stringField.optional(),
          })
          .nullable()
          .optional(),
      }),
    )
    .nullable()
    .optional(),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Key names are the registrant's text too: shown only when they look like a key, and shortened. */
function keyLabel(key: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(key) ? key : JSON.stringify(key.slice(0, 32));
}

function checkKeys(value: unknown, allowed: ReadonlySet<string>, path: string): void {
  if (!isRecord(value)) return; // the schema reports the wrong shape
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw refused(path ? `${path}.${keyLabel(key)}` : keyLabel(key), allowed);
  }
}

/** Every entry, not only the current context's: a refused key anywhere refuses the file. */
function checkAllowList(document: unknown): void {
  if (!isRecord(document)) return;
  checkKeys(document, TOP_LEVEL_KEYS, "");
  const entries = (list: unknown, field: string, allowed: ReadonlySet<string>, name: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((entry: unknown, index) => {
      if (!isRecord(entry)) return;
      checkKeys(entry, new Set(["name", field, "extensions"]), `${name}[${index}]`);
      checkKeys(entry[field], allowed, `${name}[${index}].${field}`);
    });
  };
  entries(document.clusters, "cluster", CLUSTER_KEYS, "clusters");
  entries(document.contexts, "context", CONTEXT_KEYS, "contexts");
  entries(document.users, "user", USER_KEYS, "users");
}

/** The server and credential of the kubeconfig's current context (or its only cluster). */
export function parseKubeconfig(text: string): KubeconfigTarget {
  if (yamlNestingTooDeep(text) !== null) throw invalid(yamlNestingMessage());
  let document: unknown;
  try {
    // Aliases are never needed in a kubeconfig; a small cap stops alias bombs.
    document = parseYaml(text, { maxAliasCount: 16 });
  } catch {
    throw invalid("not valid YAML");
  }
  checkAllowList(document);
  const parsed = kubeconfigSchema.safeParse(document);
  if (!parsed.success)
    throw invalid(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  const config = parsed.data;

  const contextName = config["current-context"] || null;
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
  const certificateData = user?.["client-certificate-data"];
  const keyData = user?.["client-key-data"];
  if ((certificateData === undefined) !== (keyData === undefined))
    throw invalid("client-certificate-data and client-key-data go together");
  if (user?.token) credential = { type: "bearer-token", token: user.token };
  else if (certificateData && keyData) credential = { type: "client-certificate", certificateData, keyData };

  const { cluster: entry } = cluster;
  const serverProblem = clusterServerUrlProblem(entry.server);
  if (serverProblem !== null) {
    const key = `clusters[${config.clusters.indexOf(cluster)}].cluster.server`;
    throw new KubeconfigError(`invalid kubeconfig: ${key} ${serverProblem}`, key);
  }
  return {
    server: entry.server,
    credential,
    tls: {
      ...(entry["certificate-authority-data"] && {
        certificateAuthorityData: entry["certificate-authority-data"],
      }),
      insecureSkipTlsVerify: entry["insecure-skip-tls-verify"] ?? false,
      ...(entry["tls-server-name"] && { tlsServerName: entry["tls-server-name"] }),
    },
    context: contextName,
  };
}
