import childProcess from "node:child_process";
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { registerClusterInputSchema } from "@/common/cluster-registration";
import { KubeconfigError, parseKubeconfig } from "@/common/kubeconfig";
import { kubeconfigWith, REFUSED_KEYS } from "@/server/testing/hostile-kubeconfigs";
import { createClusterDriver } from "./driver-factory";
import { isClusterDriverError } from "./errors";
import { KubernetesClusterDriver } from "./kubernetes";
import { type FakeApiServer, fixture, startFakeApiServer } from "./kubernetes/testing/fake-api-server";

describe("kubeconfig allow-list", () => {
  it("reads inline credentials and TLS settings", () => {
    const target = parseKubeconfig(
      kubeconfigWith({
        clusterExtra: [
          "certificate-authority-data: Q0E=",
          "insecure-skip-tls-verify: false",
          "tls-server-name: api.internal",
        ],
      }),
    );
    expect(target).toEqual({
      server: "https://api.cluster.example:6443",
      credential: { type: "bearer-token", token: "t0ken" },
      tls: { certificateAuthorityData: "Q0E=", insecureSkipTlsVerify: false, tlsServerName: "api.internal" },
      context: "main",
    });
    const certificate = parseKubeconfig(
      kubeconfigWith({ userExtra: ["client-certificate-data: Q0VSVA==", "client-key-data: S0VZ"] }).replace(
        "      token: t0ken\n",
        "",
      ),
    );
    expect(certificate.credential).toEqual({
      type: "client-certificate",
      certificateData: "Q0VSVA==",
      keyData: "S0VZ",
    });
  });

  it.each(REFUSED_KEYS)("refuses $key, naming it", ({ key, clusterExtra, userExtra }) => {
    const text = kubeconfigWith({ clusterExtra, userExtra });
    let caught: unknown;
    try {
      parseKubeconfig(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KubeconfigError);
    expect((caught as KubeconfigError).key).toBe(key);
    expect((caught as KubeconfigError).message).toContain(`${key} is not allowed`);
    // Values are never quoted: they may be secrets.
    expect((caught as KubeconfigError).message).not.toMatch(/hunter2|\/etc\/|169\.254/);
  });

  it.each(REFUSED_KEYS)(
    "gives the registration form a field error on the kubeconfig for $key",
    ({ key, clusterExtra, userExtra }) => {
      const result = registerClusterInputSchema.safeParse({
        name: "edge",
        managedApi: "https://api.cluster.example:6443",
        kubeconfig: kubeconfigWith({ clusterExtra, userExtra }),
        cpus: 1,
        memoryGb: 1,
        storageGb: 0,
        vramGb: 0,
        availabilityPct: 99,
        greenEnergyPct: 0,
        cost: "low_cost",
        cpuBaseRate: 1,
        memoryBaseRate: 1,
      });
      expect(result.success).toBe(false);
      const issues = result.error?.issues.filter((issue) => issue.path.join(".") === "kubeconfig") ?? [];
      expect(issues.map((issue) => issue.message)).toEqual([expect.stringContaining(key)]);
    },
  );

  it("refuses a refused key in an entry the current context does not use", () => {
    const text = `${kubeconfigWith()}\n  - name: other\n    user:\n      exec: { command: /bin/sh }`;
    expect(() => parseKubeconfig(text)).toThrow(expect.objectContaining({ key: "users[1].user.exec" }));
  });

  it("refuses unknown keys anywhere, and keys at the top level", () => {
    expect(() => parseKubeconfig(kubeconfigWith({ userExtra: ["impersonate-uid: 0"] }))).toThrow(
      expect.objectContaining({ key: "users[0].user.impersonate-uid" }),
    );
    expect(() => parseKubeconfig(`${kubeconfigWith()}\nproxy: http://evil`)).toThrow(
      expect.objectContaining({ key: "proxy" }),
    );
  });

  it("refuses a client certificate without its key", () => {
    expect(() =>
      parseKubeconfig(kubeconfigWith({ userExtra: ["client-certificate-data: Q0VSVA=="] })),
    ).toThrow(/client-certificate-data and client-key-data go together/);
  });
});

/**
 * The client reaches `child_process` and `fs` through their default exports;
 * spying on those objects sees every call it would make, whatever module asks.
 */
function spyOnSideEffects() {
  const spies = [
    vi.spyOn(childProcess, "spawn"),
    vi.spyOn(childProcess, "spawnSync"),
    vi.spyOn(childProcess, "execFile"),
    vi.spyOn(childProcess, "execFileSync"),
    vi.spyOn(childProcess, "exec"),
    vi.spyOn(childProcess, "execSync"),
    vi.spyOn(fs, "readFile"),
    vi.spyOn(fs, "readFileSync"),
    vi.spyOn(fs.promises, "readFile"),
  ];
  syncBuiltinESMExports();
  return {
    calls: () =>
      spies.flatMap((spy) =>
        spy.mock.calls.map((args: unknown[]) => `${spy.getMockName()} ${JSON.stringify(args[0]) ?? ""}`),
      ),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
      syncBuiltinESMExports();
    },
  };
}

describe("a hostile kubeconfig reaches nothing", () => {
  let api: FakeApiServer;
  beforeEach(async () => {
    api = await startFakeApiServer();
    api.on("GET", "/version", { status: 200, body: fixture("version.json") });
    api.on("GET", "/api/v1/nodes", { status: 200, body: fixture("nodes.json") });
    api.on("GET", "/api/v1/pods", { status: 200, body: fixture("pods-all-namespaces.json") });
  });
  afterEach(async () => {
    await api.close();
  });

  it.each(REFUSED_KEYS)(
    "with $key: no process spawned and no file read while parsing and connecting",
    async ({ key, clusterExtra, userExtra }) => {
      const text = kubeconfigWith({
        server: api.url,
        clusterExtra: ["insecure-skip-tls-verify: true", ...(clusterExtra ?? [])],
        // Without the inline token the client would have to use the hostile setting to authenticate.
        userExtra,
      }).replace("      token: t0ken\n", "");
      const spy = spyOnSideEffects();
      const outcomes: unknown[] = [];
      try {
        registerClusterInputSchema.safeParse({ kubeconfig: text });
        for (const attempt of [
          () => createClusterDriver({ name: "edge", managedApi: api.url, kubeconfig: text }),
          () => new KubernetesClusterDriver({ cluster: "edge", kubeconfig: text, requestTimeoutMs: 2_000 }),
        ]) {
          try {
            outcomes.push(await attempt().connect());
          } catch (error) {
            outcomes.push(error);
          }
        }
      } finally {
        spy.restore();
      }
      expect(spy.calls()).toEqual([]);
      for (const outcome of outcomes) {
        expect(isClusterDriverError(outcome, "INVALID_CONFIG")).toBe(true);
        expect((outcome as Error).message).toContain(key);
      }
      expect(api.requests).toEqual([]);
    },
  );

  it("connects with an allowed kubeconfig, still without spawning or reading files", async () => {
    const text = kubeconfigWith({ server: api.url, clusterExtra: ["insecure-skip-tls-verify: true"] });
    const spy = spyOnSideEffects();
    let result;
    try {
      result = await new KubernetesClusterDriver({ cluster: "edge", kubeconfig: text }).connect();
    } finally {
      spy.restore();
    }
    expect(spy.calls()).toEqual([]);
    expect(result.ok).toBe(true);
    expect(api.requests[0]?.authorization).toBe("Bearer t0ken");
  });
});
