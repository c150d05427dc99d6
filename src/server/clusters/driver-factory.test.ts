import http from "node:http";
import { type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { type ClusterDriverConfig } from "./driver";
import { isClusterDriverError } from "./errors";
import { KubernetesClusterDriver } from "./kubernetes";
import { createClusterDriver, resolveClusterTarget, resolveDriverKind } from "./driver-factory";
import { makeClusterSpec, makeContinuum } from "@/server/testing/cluster-factories";

function kubeconfig(server: string, token?: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "current-context: main",
    "clusters:",
    "  - name: main",
    "    cluster:",
    `      server: ${server}`,
    "contexts:",
    "  - name: main",
    "    context: { cluster: main, user: admin }",
    "users:",
    "  - name: admin",
    `    user: ${token ? `{ token: ${token} }` : "{}"}`,
  ].join("\n");
}

const properties = {
  cpus: 10,
  memoryGb: 200,
  storageGb: 300,
  vramGb: 1,
  availabilityPct: 99.9,
  greenEnergyPct: 20,
  cost: "low_cost" as const,
  cpuBaseRate: 10,
  memoryBaseRate: 10,
};

describe("cluster driver dispatcher", () => {
  it("picks the simulated driver for a sim:// managed API", async () => {
    const { continuum } = makeContinuum();
    const driver = createClusterDriver(
      { name: "test-cluster", managedApi: "sim://test-cluster" },
      { continuum },
    );
    expect(driver.kind).toBe("simulated");
    expect(driver.cluster).toBe("test-cluster");
    expect((await driver.connect()).ok).toBe(true);
  });

  it("picks the simulated driver for a kubeconfig whose server is sim://, with its token", async () => {
    const { continuum } = makeContinuum({
      clusters: [makeClusterSpec({ name: "edge", bearerToken: "t0ken" })],
    });
    const config: ClusterDriverConfig = {
      name: "edge",
      managedApi: "https://ignored.example:6443",
      kubeconfig: kubeconfig("sim://edge", "t0ken"),
    };
    expect(resolveDriverKind(config)).toBe("simulated");
    const driver = createClusterDriver(config, { continuum });
    expect(await driver.connect()).toMatchObject({ ok: true, info: { cluster: "edge", kind: "simulated" } });
  });

  it("picks the kubernetes driver for an API server with a kubeconfig, without contacting it", async () => {
    const { continuum } = makeContinuum();
    const config = {
      name: "real",
      managedApi: "https://10.0.0.1:6443",
      kubeconfig: kubeconfig("https://10.0.0.1:6443", "t0ken"),
      properties,
    };
    expect(resolveDriverKind(config)).toBe("kubernetes");
    const driver = createClusterDriver(config, { continuum });
    expect(driver).toBeInstanceOf(KubernetesClusterDriver);
    expect(driver.kind).toBe("kubernetes");
    expect(driver.cluster).toBe("real");
    // Properties come from the registration, so reading them needs no cluster.
    expect(await driver.properties()).toEqual({
      name: "real",
      managedApi: "https://10.0.0.1:6443",
      ...properties,
    });
    // A sim:// managed API still wins over a kubeconfig naming a real server: never a silent switch.
    expect(
      createClusterDriver(
        { name: "real", managedApi: "sim://real", kubeconfig: kubeconfig("https://10.0.0.1:6443") },
        { continuum },
      ).kind,
    ).toBe("simulated");
  });

  it("reaches a real API server through the kubeconfig the cluster was registered with", async () => {
    const api = http.createServer((req, res) => {
      const body =
        req.url === "/version"
          ? { gitVersion: "v1.30.4" }
          : {
              kind: req.url?.startsWith("/api/v1/nodes") ? "NodeList" : "PodList",
              apiVersion: "v1",
              items: [],
            };
      res.writeHead(req.headers.authorization === "Bearer t0ken" ? 200 : 401, {
        "content-type": "application/json",
      });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = api.address() as AddressInfo;
      const server = `http://127.0.0.1:${port}`;
      const insecure = kubeconfig(server, "t0ken").replace(
        `      server: ${server}`,
        `      server: ${server}\n      insecure-skip-tls-verify: true`,
      );
      const driver = createClusterDriver({ name: "real", managedApi: server, kubeconfig: insecure });
      expect(await driver.connect()).toMatchObject({
        ok: true,
        info: { cluster: "real", kind: "kubernetes", version: "v1.30.4", nodeCount: 0 },
      });
    } finally {
      api.closeAllConnections();
      await new Promise<void>((resolve) => api.close(() => resolve()));
    }
  });

  it("fails loudly for an API server registered without a kubeconfig instead of falling back to the simulation", () => {
    const { continuum } = makeContinuum();
    const config = { name: "real", managedApi: "https://api.s2.example:6443" };
    expect(resolveDriverKind(config)).toBe("kubernetes");
    let caught: unknown;
    try {
      createClusterDriver(config, { continuum });
    } catch (error) {
      caught = error;
    }
    expect(isClusterDriverError(caught, "INVALID_CONFIG")).toBe(true);
    expect(String(caught)).toMatch(/needs a kubeconfig/);
  });

  it("fails loudly for a kubeconfig the kubernetes driver cannot use", () => {
    const plainHttp = kubeconfig("http://10.0.0.1:8080", "t0ken");
    expect(() =>
      createClusterDriver({ name: "real", managedApi: "http://10.0.0.1:8080", kubeconfig: plainHttp }),
    ).toThrow(
      expect.objectContaining({
        type: "INVALID_CONFIG",
        message: expect.stringMatching(/insecure-skip-tls-verify/),
      }),
    );
  });

  it("adds an unknown sim:// cluster to the continuum from its registered properties", async () => {
    const { continuum } = makeContinuum();
    const driver = createClusterDriver({ name: "test", managedApi: "sim://test", properties }, { continuum });
    const result = await driver.connect();
    if (!result.ok) throw new Error(result.error.message);
    expect(result.info.capacity.cpuMillicores).toBe(10_000);
    expect(await driver.properties()).toMatchObject({
      name: "test",
      managedApi: "sim://test",
      ...properties,
    });
  });

  it("reports an unknown sim:// cluster without properties as NOT_FOUND when connecting", async () => {
    const { continuum } = makeContinuum();
    const driver = createClusterDriver({ name: "ghost", managedApi: "sim://ghost" }, { continuum });
    expect(await driver.connect()).toMatchObject({ ok: false, error: { type: "NOT_FOUND" } });
  });

  it("rejects configs that name two different simulated clusters or a malformed sim URL", () => {
    expect(() =>
      resolveClusterTarget({ name: "a", managedApi: "sim://a", kubeconfig: kubeconfig("sim://b") }),
    ).toThrow(/names simulated cluster a but the kubeconfig names b/);
    expect(() => resolveClusterTarget({ name: "a", managedApi: "sim://Not Valid" })).toThrow(
      /not a valid sim/,
    );
    expect(() =>
      resolveClusterTarget({ name: "a", managedApi: "sim://a", kubeconfig: "clusters: [" }),
    ).toThrow(/invalid kubeconfig/);
  });

  it("never quotes kubeconfig secrets in errors", () => {
    const broken = "clusters: []\nusers:\n  - name: admin\n    user: { token: super-secret-token }";
    expect(() => resolveClusterTarget({ name: "a", managedApi: "sim://a", kubeconfig: broken })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("super-secret-token") }),
    );
  });
});
