import { describe, expect, it } from "vitest";
import type { KubernetesManifest } from "./manifests";
import { namespaceGuardrails, usageBoundsOf } from "./namespace-guardrails";

const service: KubernetesManifest = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web" },
  spec: {
    selector: { app: "web" },
    ports: [
      { port: 80, targetPort: "http" },
      { port: 53, protocol: "UDP" },
    ],
  },
};
const headless: KubernetesManifest = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "ext" },
  spec: {},
};
const MiB = 1024 ** 2;

describe("namespace guardrails", () => {
  it("denies ingress by default and opens what each Service publishes", () => {
    const objects = namespaceGuardrails({
      manifests: [service, headless],
      requests: { cpuMillicores: 250, memoryBytes: 256 * MiB },
    });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "NetworkPolicy/nemo-default-deny",
      "NetworkPolicy/nemo-allow-web",
      "LimitRange/nemo-defaults",
      "ResourceQuota/nemo-quota",
    ]);
    expect(objects[0]?.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    expect(objects[1]?.spec).toEqual({
      podSelector: { matchLabels: { app: "web" } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          ports: [
            { port: "http", protocol: "TCP" },
            { port: 53, protocol: "UDP" },
          ],
        },
      ],
    });
  });

  it("sizes the quota at twice the requests, a floor, or the intents' upper bound, whichever is larger", () => {
    const quota = (input: Parameters<typeof namespaceGuardrails>[0]) =>
      namespaceGuardrails(input).find((o) => o.kind === "ResourceQuota")?.spec;
    expect(quota({ manifests: [], requests: { cpuMillicores: 1_000, memoryBytes: 1_024 * MiB } })).toEqual({
      hard: { "requests.cpu": "2000m", "requests.memory": "2048Mi" },
    });
    expect(quota({ manifests: [], requests: { cpuMillicores: 0, memoryBytes: 0 } })).toEqual({
      hard: { "requests.cpu": "500m", "requests.memory": "512Mi" },
    });
    expect(
      quota({
        manifests: [],
        requests: { cpuMillicores: 1_000, memoryBytes: 0 },
        usageBounds: { cpuMillicores: 4_000, memoryMiB: 3_000 },
      }),
    ).toEqual({ hard: { "requests.cpu": "4000m", "requests.memory": "3000Mi" } });
  });

  it("reads upper bounds of CPU and RAM usage from the intents' targets", () => {
    expect(
      usageBoundsOf([
        { targetName: "cpuUsage", condition: "IS_LESS_THAN", value: 3_000 },
        { targetName: "cpuUsage", condition: "IS_GREATER_THAN", value: 9_000 },
        { targetName: "ramUsage", condition: "IS_WITHIN_RANGE", value: [100, 2_048] },
        { targetName: "availability", condition: "IS_LESS_THAN", value: 99 },
      ]),
    ).toEqual({ cpuMillicores: 3_000, memoryMiB: 2_048 });
    expect(usageBoundsOf([])).toEqual({});
  });
});
