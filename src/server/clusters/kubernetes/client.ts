import {
  ApiException,
  AppsV1Api,
  type Configuration,
  CoreV1Api,
  createConfiguration,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  ServerConfiguration,
  type V1APIResource,
  type V1APIResourceList,
  VersionApi,
} from "@kubernetes/client-node";
import { ClusterDriverError } from "../errors";
import { parseKubeconfig } from "../kubeconfig";
import { createTransport } from "./transport";

/**
 * Where the kubernetes driver gets its API clients: the registered
 * kubeconfig, loaded once, and one client per API group, all sending through
 * the driver's transport (deadline per request, optional abort signal).
 */

/**
 * `KubernetesObjectApi` for manifests of any kind, without the client's
 * typed models in between.
 *
 * The stock class serialises a known kind through its generated model
 * (`V1Deployment`, …), which silently drops every field that model does not
 * know: fields newer than the client's 1.33 models, or extension fields. For
 * server-side apply that would mean the cluster never sees part of the
 * rendered manifest. Treating every object as a generic `KubernetesObject`
 * sends the manifest as rendered (only `metadata` goes through its model)
 * and returns the server's JSON as it came.
 */
export class ManifestObjectApi extends KubernetesObjectApi {
  constructor(configuration: Configuration, discoveryCache: Record<string, V1APIResourceList>) {
    super(configuration);
    // Shared by all calls of one driver, so discovery happens once per group version, not once per apply.
    this.apiVersionResourceCache = discoveryCache;
  }

  protected override async getSerializationType(): Promise<string> {
    return "KubernetesObject";
  }

  /**
   * The API resource serving `kind` in `apiVersion` (from discovery), or
   * undefined when the cluster does not serve it: an unknown group version
   * (404) or a kind missing from it, e.g. a custom resource whose CRD is not
   * installed.
   */
  async describe(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    try {
      return await this.resource(apiVersion, kind);
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }
}

export interface KubernetesApis {
  version: VersionApi;
  core: CoreV1Api;
  apps: AppsV1Api;
  networking: NetworkingV1Api;
  custom: CustomObjectsApi;
  objects: ManifestObjectApi;
}

function invalidConfig(cluster: string, reason: string): ClusterDriverError {
  return new ClusterDriverError("INVALID_CONFIG", `invalid kubeconfig for cluster ${cluster}: ${reason}`, {
    cluster,
  });
}

/**
 * Loads the registered kubeconfig. Fails loudly (INVALID_CONFIG) on one the
 * driver could not use, before any request; never quotes its content, which
 * holds secrets.
 */
export function loadKubeConfig(text: string, cluster: string): { kubeConfig: KubeConfig; server: string } {
  // The shared parser gives the same errors as the dispatcher for malformed YAML or missing entries.
  parseKubeconfig(text);
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(text);
  } catch (error) {
    // js-yaml quotes the offending lines in its messages, which may hold a token; its other errors
    // ("clusters[0].name is missing") are safe and say what to fix.
    const yamlError = error instanceof Error && error.name === "YAMLException";
    const reason =
      yamlError || !(error instanceof Error) ? "not valid YAML" : (error.message.split("\n")[0] ?? "");
    throw invalidConfig(cluster, reason);
  }
  // A kubeconfig with one cluster and no current-context is accepted by the shared parser; make it usable.
  if (!kubeConfig.getCurrentContext()) {
    const [only] = kubeConfig.getClusters();
    if (kubeConfig.getClusters().length !== 1 || !only) throw invalidConfig(cluster, "no current-context");
    kubeConfig.addContext({ name: "nemo-console", cluster: only.name, user: "" });
    kubeConfig.setCurrentContext("nemo-console");
  }
  const current = kubeConfig.getCurrentCluster();
  if (!current) throw invalidConfig(cluster, "the current context names no cluster");
  let url: URL;
  try {
    url = new URL(current.server);
  } catch {
    throw invalidConfig(cluster, "the server is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw invalidConfig(cluster, `unsupported server scheme ${url.protocol}`);
  // The client refuses plain HTTP unless TLS verification is explicitly off; say so now rather than on every call.
  if (url.protocol === "http:" && !current.skipTLSVerify)
    throw invalidConfig(cluster, "an http:// server needs insecure-skip-tls-verify: true");
  return { kubeConfig, server: current.server };
}

export interface ApiOptions {
  kubeConfig: KubeConfig;
  server: string;
  timeoutMs: number;
  discoveryCache: Record<string, V1APIResourceList>;
  signal?: AbortSignal;
}

export function createApis(options: ApiOptions): KubernetesApis {
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(options.server, {}),
    authMethods: { default: options.kubeConfig },
    httpApi: createTransport({ timeoutMs: options.timeoutMs, signal: options.signal }),
  });
  return {
    version: new VersionApi(configuration),
    core: new CoreV1Api(configuration),
    apps: new AppsV1Api(configuration),
    networking: new NetworkingV1Api(configuration),
    custom: new CustomObjectsApi(configuration),
    objects: new ManifestObjectApi(configuration, options.discoveryCache),
  };
}
