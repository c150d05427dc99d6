import { describe, expect, it } from "vitest";
import { type ClusterDriverConfig } from "./driver";
import { isClusterDriverError } from "./errors";
import { createClusterDriver, resolveClusterTarget, resolveDriverKind } from "./registry";
import { makeClusterSpec, makeContinuum } from "./test-factories";

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

  it("fails loudly for a kubernetes API server instead of falling back to the simulation", () => {
    const { continuum } = makeContinuum();
    const config = { name: "real", managedApi: "https://api.s2.example:6443" };
    expect(resolveDriverKind(config)).toBe("kubernetes");
    let caught: unknown;
    try {
      createClusterDriver(config, { continuum });
    } catch (error) {
      caught = error;
    }
    expect(isClusterDriverError(caught, "DRIVER_UNAVAILABLE")).toBe(true);
    expect(String(caught)).toMatch(/kubernetes driver not available yet/);
    expect(() =>
      createClusterDriver(
        { name: "real", managedApi: "sim://real", kubeconfig: kubeconfig("https://10.0.0.1:6443") },
        { continuum },
      ),
    ).not.toThrow();
    expect(() =>
      createClusterDriver(
        {
          name: "real",
          managedApi: "https://10.0.0.1:6443",
          kubeconfig: kubeconfig("https://10.0.0.1:6443"),
        },
        { continuum },
      ),
    ).toThrow(/not available yet/);
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
