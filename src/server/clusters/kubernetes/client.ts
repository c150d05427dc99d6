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
import { createTransport, type TransportOptions } from "./transport";

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
 * Builds the client's configuration from the kubeconfig's allow-listed fields
 * (server, inline CA, TLS settings, token or inline client certificate), never
 * from its text: whatever else the text holds cannot reach the client, which
 * would run commands, read files or proxy for it. Fails loudly
 * (INVALID_CONFIG) on one the driver could not use, before any request; never
 * quotes its content, which holds secrets.
 */
export function loadKubeConfig(text: string, cluster: string): { kubeConfig: KubeConfig; server: string } {
  const target = parseKubeconfig(text);
  let url: URL;
  try {
    url = new URL(target.server);
  } catch {
    throw invalidConfig(cluster, "the server is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw invalidConfig(cluster, `unsupported server scheme ${url.protocol}`);
  // The client refuses plain HTTP unless TLS verification is explicitly off; say so now rather than on every call.
  if (url.protocol === "http:" && !target.tls.insecureSkipTlsVerify)
    throw invalidConfig(cluster, "an http:// server needs insecure-skip-tls-verify: true");
  const { credential, tls } = target;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: "registered",
        server: target.server,
        skipTLSVerify: tls.insecureSkipTlsVerify,
        ...(tls.certificateAuthorityData !== undefined && { caData: tls.certificateAuthorityData }),
        ...(tls.tlsServerName !== undefined && { tlsServerName: tls.tlsServerName }),
      },
    ],
    users: [
      {
        name: "registered",
        ...(credential.type === "bearer-token" && { token: credential.token }),
        ...(credential.type === "client-certificate" && {
          certData: credential.certificateData,
          keyData: credential.keyData,
        }),
      },
    ],
    contexts: [{ name: "registered", cluster: "registered", user: "registered" }],
    currentContext: "registered",
  });
  return { kubeConfig, server: target.server };
}

export interface ApiOptions {
  kubeConfig: KubeConfig;
  server: string;
  timeoutMs: number;
  /** The vetted address for the server's host (SSRF guard, network-policy.ts). */
  pin?: TransportOptions["pin"];
  maxResponseBytes?: number;
  discoveryCache: Record<string, V1APIResourceList>;
  signal?: AbortSignal;
}

export function createApis(options: ApiOptions): KubernetesApis {
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(options.server, {}),
    authMethods: { default: options.kubeConfig },
    httpApi: createTransport({
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      pin: options.pin,
      maxResponseBytes: options.maxResponseBytes,
    }),
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
