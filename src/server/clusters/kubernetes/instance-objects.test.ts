import { describe, expect, it } from "vitest";
import { computeDrift } from "@/server/drift/compare";
import { makeConfigMap, makeDeployment, makeService } from "@/server/testing/cluster-factories";
import { PRUNE_KINDS } from "./apply";
import { collectionPath, discoveryRoutes, emptyLists, fixture } from "./testing/fake-api-server";
import { fakeApiServerPerTest } from "./testing/driver-harness";

/**
 * Contract of `listInstanceObjects` (the drift check's read) against
 * recorded API answers: a labelled, paged list per kind, whose items keep
 * their managedFields; and the drift the check reads from them.
 */

const NS = "shop-caedfa4f";
const INSTANCE = "caedfa4f";
const recorded = fixture("instance-objects.json") as { deployments: unknown; configmaps: unknown };
const api = fakeApiServerPerTest({}, (server) => {
  discoveryRoutes(server);
  emptyLists(server, NS, PRUNE_KINDS);
  server.on("GET", collectionPath("apps/v1", "Deployment", NS), { status: 200, body: recorded.deployments });
  server.on("GET", collectionPath("v1", "ConfigMap", NS), { status: 200, body: recorded.configmaps });
});
const driver = () => api.driver();

describe("kubernetes driver: listInstanceObjects", () => {
  it("lists each kind once with the instance's label selector, keeping managedFields", async () => {
    const result = await driver().listInstanceObjects(NS, INSTANCE, [
      { apiVersion: "apps/v1", kind: "Deployment" },
    ]);
    const deploymentLists = api
      .calls()
      .filter((r) => r.method === "GET" && r.path === collectionPath("apps/v1", "Deployment", NS));
    expect(deploymentLists).toHaveLength(1);
    for (const request of deploymentLists)
      expect(request.query.labelSelector).toBe(`nemo.eu/instance-id=${INSTANCE}`);
    const listed = api.calls().filter((r) => r.query.labelSelector !== undefined);
    expect(listed).toHaveLength(PRUNE_KINDS.length);
    // Every list is a read: nothing is written.
    expect(api.calls().every((r) => r.method === "GET")).toBe(true);
    expect(result.cluster).toBe("edge-1");
    expect(result.objects.map((o) => [o.apiVersion, o.kind, (o.metadata as { name: string }).name])).toEqual(
      expect.arrayContaining([
        ["apps/v1", "Deployment", "web"],
        ["v1", "ConfigMap", "settings"],
      ]),
    );
    const web = result.objects.find((o) => o.kind === "Deployment");
    expect((web?.metadata as { managedFields: unknown[] }).managedFields).toHaveLength(4);
  });

  it("refuses a namespace or instance id that is no label value, before any request", async () => {
    await expect(driver().listInstanceObjects("Not_A_Namespace", INSTANCE)).rejects.toMatchObject({
      type: "INVALID_ARGUMENT",
    });
    await expect(driver().listInstanceObjects(NS, "a,b=c")).rejects.toMatchObject({
      type: "INVALID_ARGUMENT",
    });
    expect(api.calls()).toEqual([]);
  });

  it("gives the drift the managed fields tell: the hand-edited image by its editor, not the HPA's replicas nor defaults", async () => {
    const live = await driver().listInstanceObjects(NS, INSTANCE);
    const desired = [
      makeDeployment({ name: "web", replicas: 2 }),
      makeConfigMap({ name: "settings" }),
      makeService({ name: "web" }),
    ];
    const verdict = computeDrift("edge-1", desired, live.objects);
    expect(verdict.drifted).toBe(true);
    expect(verdict.summary.objects).toEqual([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "web",
        state: "changed",
        fields: [
          {
            path: "spec.template.spec.containers[name=web].image",
            expected: '"registry.example/web:1.0"',
            actual: '"registry.example/web:hotfix"',
            changedBy: "kubectl-edit",
          },
        ],
      },
      { apiVersion: "v1", kind: "Service", name: "web", state: "missing", fields: [] },
    ]);
  });
});
