import { afterEach, beforeEach } from "vitest";
import { KubernetesClusterDriver, type KubernetesClusterDriverOptions } from "../kubernetes-driver";
import { type FakeApiServer, startFakeApiServer } from "./fake-api-server";

/**
 * A fresh fake API server for every test of the file (started before each,
 * closed after each), and the Kubernetes driver under test pointed at it.
 */
export interface FakeApiServerPerTest extends FakeApiServer {
  /** The driver of cluster "edge-1" on the current server: 2 s per request, the file's defaults, then `options`. */
  driver(options?: Partial<KubernetesClusterDriverOptions>): KubernetesClusterDriver;
}

/**
 * Registers the server's per-test life in the calling file. `setUp` records
 * the routes every test of the file shares (discovery, empty lists…).
 */
export function fakeApiServerPerTest(
  defaults: Partial<KubernetesClusterDriverOptions> = {},
  setUp: (api: FakeApiServer) => void = () => undefined,
): FakeApiServerPerTest {
  let current: FakeApiServer | undefined;
  const api = (): FakeApiServer => {
    if (!current) throw new Error("the fake API server runs only during a test");
    return current;
  };
  beforeEach(async () => {
    current = await startFakeApiServer();
    setUp(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get url() {
      return api().url;
    },
    get requests() {
      return api().requests;
    },
    on: (method, path, route) => api().on(method, path, route),
    calls: () => api().calls(),
    kubeconfig: (options) => api().kubeconfig(options),
    close: () => api().close(),
    driver: (options = {}) =>
      new KubernetesClusterDriver({
        cluster: "edge-1",
        kubeconfig: api().kubeconfig(),
        requestTimeoutMs: 2_000,
        ...defaults,
        ...options,
      }),
  };
}
