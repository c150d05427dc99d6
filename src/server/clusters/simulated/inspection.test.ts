import { describe, expect, it } from "vitest";
import { eventListSchema, podLogsSchema } from "../driver";
import { type KubernetesManifest } from "../manifests";
import { isClusterDriverError } from "../errors";
import {
  instanceLabels,
  makeContinuum,
  makeDeployment,
  makeStatefulSet,
  SETTLE_MS,
} from "@/server/testing/cluster-factories";
import { LOG_BUCKET_MS } from "./inspection";
import { SimulatedClusterDriver } from "./simulated-driver";

const labels = instanceLabels("3b004d45");

/** A Deployment whose pods run two containers (the picker's case). */
function twoContainerDeployment(): KubernetesManifest {
  const deployment = makeDeployment({ name: "web", replicas: 2 });
  const spec = deployment.spec as { template: { spec: { containers: unknown[] } } };
  spec.template.spec.containers.push({ name: "sidecar", image: "registry.example/proxy:2.1" });
  return deployment;
}

async function setup(seed = 7) {
  const { continuum, clock } = makeContinuum({ seed });
  const driver = new SimulatedClusterDriver({ continuum, cluster: "test-cluster" });
  await driver.apply("shop", [twoContainerDeployment(), makeStatefulSet({ name: "db", replicas: 1 })], {
    labels,
  });
  const tree = await driver.deploymentTree("shop");
  const pods = tree.nodes.filter((n) => n.kind === "Pod" && n.name.startsWith("web-")).map((n) => n.name);
  return { continuum, clock, driver, pods };
}

const expectError = async (promise: Promise<unknown>, type: string) => {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isClusterDriverError(error) && error.type).toBe(type);
};

describe("simulated pod logs", () => {
  it("are the same for the same seed, calls and clock, and differ for another seed", async () => {
    const a = await setup();
    const b = await setup();
    const c = await setup(8);
    for (const s of [a, b, c]) s.clock.advance(10 * 60_000);
    const pod = a.pods[0] ?? "";
    const read = (s: typeof a) => s.driver.readPodLogs({ namespace: "shop", pod, tailLines: 50 });
    const [logsA, logsB] = await Promise.all([read(a), read(b)]);
    expect(podLogsSchema.parse(logsA)).toEqual(logsB);
    expect(logsA.lines).toHaveLength(50);
    expect(logsA.container).toBe("web");
    expect(logsA.containers).toEqual(["web", "sidecar"]);
    expect(logsA.podLabels[Object.keys(labels)[0] ?? ""]).toBe("3b004d45");
    const cPod = c.pods[0] ?? "";
    const logsC = await c.driver.readPodLogs({ namespace: "shop", pod: cPod, tailLines: 50 });
    expect(logsC.lines.map((l) => l.text)).not.toEqual(logsA.lines.map((l) => l.text));
  });

  it("start with the container's start-up lines, then sampled requests from the load model", async () => {
    const { clock, driver, pods } = await setup();
    clock.advance(SETTLE_MS + 3 * LOG_BUCKET_MS);
    const logs = await driver.readPodLogs({ namespace: "shop", pod: pods[0] ?? "", tailLines: 1000 });
    expect(logs.lines[0]?.text).toMatch(
      /^Starting web \(registry\.example\/web:1\.0\) on node test-cluster-node-\d$/,
    );
    expect(logs.lines[2]?.text).toBe("Ready to serve requests");
    expect(logs.lines.some((l) => /"(GET|POST|PUT) \/\S* HTTP\/1\.1" \d{3} \d+ \d+ms/.test(l.text))).toBe(
      true,
    );
    expect(logs.lines.some((l) => /^served \d+ requests in the last 5s, mean \d+ms$/.test(l.text))).toBe(
      true,
    );
    // Timestamps are strictly increasing: the follow cursor relies on it.
    const times = logs.lines.map((l) => Date.parse(l.timestamp ?? ""));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] ?? 0);
  });

  it("follow: a read from the cursor returns only lines written since, none twice", async () => {
    const { clock, driver, pods } = await setup();
    clock.advance(5 * 60_000);
    const pod = pods[1] ?? "";
    const first = await driver.readPodLogs({ namespace: "shop", pod, tailLines: 20 });
    const again = await driver.readPodLogs({ namespace: "shop", pod, sinceCursor: first.cursor ?? "" });
    expect(again.lines).toEqual([]);
    expect(again.cursor).toBe(first.cursor);
    clock.advance(3 * LOG_BUCKET_MS);
    const next = await driver.readPodLogs({ namespace: "shop", pod, sinceCursor: first.cursor ?? "" });
    expect(next.lines.length).toBeGreaterThan(0);
    for (const line of next.lines)
      expect(Date.parse(line.timestamp ?? "")).toBeGreaterThan(Date.parse(first.cursor ?? ""));
    // Together they are exactly the tail of one read at the later time.
    const whole = await driver.readPodLogs({ namespace: "shop", pod, tailLines: 20 + next.lines.length });
    expect(whole.lines).toEqual([...first.lines, ...next.lines]);
  });

  it("reads the container asked for, and refuses a container or pod that does not exist", async () => {
    const { clock, driver, pods } = await setup();
    clock.advance(60_000);
    const pod = pods[0] ?? "";
    const sidecar = await driver.readPodLogs({ namespace: "shop", pod, container: "sidecar" });
    expect(sidecar.container).toBe("sidecar");
    expect(sidecar.lines[0]?.text).toMatch(/^Starting sidecar \(registry\.example\/proxy:2\.1\)/);
    await expectError(driver.readPodLogs({ namespace: "shop", pod, container: "nope" }), "NOT_FOUND");
    await expectError(driver.readPodLogs({ namespace: "shop", pod: "web-missing" }), "NOT_FOUND");
    await expectError(driver.readPodLogs({ namespace: "shop", pod, tailLines: 0 }), "INVALID_ARGUMENT");
  });

  it("say why there is nothing yet while the container is being created", async () => {
    const { driver, pods } = await setup();
    const logs = await driver.readPodLogs({ namespace: "shop", pod: pods[0] ?? "" });
    expect(logs.lines).toEqual([]);
    expect(logs.notice).toMatch(/^Container web is waiting to start: ContainerCreating/);
  });

  it("cut the answer at the byte limit and say so", async () => {
    const { clock, driver, pods } = await setup();
    clock.advance(30 * 60_000);
    const logs = await driver.readPodLogs({
      namespace: "shop",
      pod: pods[0] ?? "",
      tailLines: 500,
      limitBytes: 2_000,
    });
    expect(logs.truncated).toBe(true);
    const bytes = logs.lines.reduce(
      (sum, l) => sum + Buffer.byteLength(l.text) + (l.timestamp?.length ?? 0) + 2,
      0,
    );
    expect(bytes).toBeLessThanOrEqual(2_000);
    expect(logs.lines.length).toBeGreaterThan(0);
  });

  it("print a fatal error and a restart at each back-off restart of a crash loop", async () => {
    const { continuum, clock, driver, pods } = await setup();
    clock.advance(SETTLE_MS);
    continuum.injectFailure("test-cluster", { type: "crash-loop", namespace: "shop", workload: "web" });
    clock.advance(2 * 60_000);
    const logs = await driver.readPodLogs({ namespace: "shop", pod: pods[0] ?? "", tailLines: 1000 });
    const fatal = logs.lines.filter((l) => l.text.startsWith("FATAL web: upstream connection refused"));
    // kubelet restarts at 10 s, 30 s, 70 s (then waits 160 s): three restarts in two minutes.
    expect(fatal).toHaveLength(3);
    expect(logs.lines.at(-1)?.text).toBe("Starting web (restart 3)");
  });

  it("fail like the cluster does when it is down", async () => {
    const { continuum, driver, pods } = await setup();
    continuum.injectFailure("test-cluster", { type: "cluster-down" });
    await expectError(driver.readPodLogs({ namespace: "shop", pod: pods[0] ?? "" }), "UNREACHABLE");
  });
});

describe("simulated events", () => {
  it("follow the pods' lifecycle: scheduled, pulled, created, started; controllers' creations", async () => {
    const { clock, driver, pods } = await setup();
    clock.advance(SETTLE_MS);
    const pod = pods[0] ?? "";
    const events = eventListSchema.parse(await driver.listEvents("shop", { kind: "Pod", name: pod }));
    expect(events.events.map((e) => e.reason)).toEqual([
      "Scheduled",
      "Pulling",
      "Pulling",
      "Pulled",
      "Pulled",
      "Created",
      "Created",
      "Started",
      "Started",
    ]);
    expect(events.events[0]).toMatchObject({
      type: "Normal",
      source: "default-scheduler",
      message: expect.stringMatching(
        new RegExp(`^Successfully assigned shop/${pod} to test-cluster-node-\\d$`),
      ),
    });
    const all = await driver.listEvents("shop");
    expect(all.events.some((e) => e.reason === "ScalingReplicaSet" && e.involvedObject.name === "web")).toBe(
      true,
    );
    expect(
      all.events.filter((e) => e.reason === "SuccessfulCreate" && e.involvedObject.kind === "ReplicaSet"),
    ).toHaveLength(2);
    expect(all.events.some((e) => e.message === "create Pod db-0 in StatefulSet db successful")).toBe(true);
    expect(await driver.listEvents("shop")).toEqual(all);
  });

  it("report FailedScheduling for a pod that fits nowhere and BackOff for a crash loop", async () => {
    const { continuum, clock, driver } = await setup();
    await driver.apply("big", [makeDeployment({ name: "huge", replicas: 1, cpu: "900" })], { labels });
    clock.advance(SETTLE_MS);
    continuum.injectFailure("test-cluster", { type: "crash-loop", namespace: "shop", workload: "db" });
    clock.advance(2 * 60_000);
    const pending = await driver.listEvents("big");
    const failed = pending.events.find((e) => e.reason === "FailedScheduling");
    expect(failed).toMatchObject({ type: "Warning", count: 3, source: "default-scheduler" });
    expect(failed?.message).toMatch(/Insufficient cpu/);
    const crash = await driver.listEvents("shop", { kind: "Pod", name: "db-0" });
    expect(crash.events.at(-1)).toMatchObject({
      type: "Warning",
      reason: "BackOff",
      count: 3,
      message: "Back-off restarting failed container db in pod db-0",
    });
  });

  it("are empty for a namespace that does not exist", async () => {
    const { driver } = await setup();
    expect((await driver.listEvents("nothing-here")).events).toEqual([]);
  });
});

describe("simulated live objects", () => {
  it("are the stored objects with a status derived from their pods", async () => {
    const { clock, driver, pods } = await setup();
    clock.advance(SETTLE_MS);
    const deployment = await driver.getLiveObject("shop", "Deployment", "web");
    expect(deployment).toMatchObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop", labels: { app: "web", ...labels } },
      spec: { replicas: 2 },
      status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 },
    });
    expect(deployment?.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const pod = await driver.getLiveObject("shop", "Pod", pods[0] ?? "");
    expect(pod).toMatchObject({
      kind: "Pod",
      metadata: { ownerReferences: [{ kind: "ReplicaSet" }] },
      status: { phase: "Running", containerStatuses: [{ name: "web", ready: true }, { name: "sidecar" }] },
    });
    const rsName = (pod?.metadata.ownerReferences as Array<{ name: string }>)[0]?.name ?? "";
    expect(await driver.getLiveObject("shop", "ReplicaSet", rsName)).toMatchObject({
      spec: { replicas: 2 },
      status: { readyReplicas: 2 },
    });
    expect(await driver.getLiveObject("shop", "PersistentVolumeClaim", "data-db-0")).toMatchObject({
      status: { phase: "Bound" },
    });
  });

  it("are null when missing or of another API version, and refuse names that cannot be objects", async () => {
    const { driver } = await setup();
    expect(await driver.getLiveObject("shop", "Deployment", "nope")).toBeNull();
    expect(await driver.getLiveObject("nothing-here", "Deployment", "web")).toBeNull();
    expect(
      await driver.getLiveObject("shop", "Deployment", "web", { apiVersion: "apps/v1beta2" }),
    ).toBeNull();
    await expectError(driver.getLiveObject("shop", "deployment", "web"), "INVALID_ARGUMENT");
    await expectError(driver.getLiveObject("shop", "Deployment", "Web_1"), "INVALID_ARGUMENT");
  });
});
