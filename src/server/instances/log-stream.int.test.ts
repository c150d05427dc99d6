import { beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/server/auth/session";
import {
  type DriverFactory,
  INSTANCE_ID_LABEL,
  type ManualClock,
  type PodLogStreamEvent,
} from "@/server/clusters";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { demoDatabaseForFile } from "@/server/testing/demo-database";
import { inspectedInstance } from "@/server/testing/orchestration";
import {
  followInstancePodLogs,
  openLogStreams,
  POD_LOG_STREAMS_PER_USER,
  TooManyLogStreams,
} from "./inspection";

/*
 * Following a pod's log of an instance (the domain under the SSE route):
 * who may, the instance's own pods only, the per-person limit, and the
 * slot given back however the follow ends. The simulated clusters run on a
 * manual clock, which each poll of the follow advances.
 */
const demo = demoDatabaseForFile("log_stream");
let db: Db;
let owner: SessionUser;
let otherTenant: SessionUser;
let admin: SessionUser;
let clusterOwner: SessionUser;
let otherInfra: SessionUser;
let noRole: SessionUser;
let instanceId: string;
let pod: string;
let clock: ManualClock;
let driverFactory: DriverFactory;

const as = (user: SessionUser) => ({ db, user, driverFactory });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

async function take(events: AsyncIterable<PodLogStreamEvent>, count: number): Promise<PodLogStreamEvent[]> {
  const out: PodLogStreamEvent[] = [];
  for await (const event of events) {
    out.push(event);
    if (out.length === count) break;
  }
  return out;
}

beforeAll(async () => {
  db = demo.db;
  const inspected = await inspectedInstance(db, { seed: 13, workload: "follow", releaseName: "shop" });
  ({ owner, otherTenant, admin, clusterOwner, otherInfra, noRole, clock, driverFactory } = inspected);
  const { instance, driver } = inspected;
  instanceId = instance.id;
  // A pod in the namespace labelled for another instance: not this instance's to show.
  await driver.apply(
    instance.namespace,
    [
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "foreign" },
        spec: { containers: [{ name: "app", image: "registry.example/app:1" }] },
      },
    ],
    { labels: { [INSTANCE_ID_LABEL]: "00000000-0000-4000-8000-000000000000" } },
  );
  clock.advance(60_000);
  const tree = await driver.deploymentTree(instance.namespace);
  pod = tree.nodes.find((n) => n.kind === "Pod" && n.name !== "foreign")?.name ?? "";
  expect(pod).not.toBe("");
}, 120_000);

describe("following a pod's log of an instance", () => {
  it("gives the owner the tail, then the lines written as the clock moves, and the slot back when they stop", async () => {
    const controller = new AbortController();
    const start = clock.now();
    const stream = await followInstancePodLogs(
      as(owner),
      { id: instanceId, pod, tailLines: 5 },
      { signal: controller.signal },
    );
    expect(stream.notice).toBeNull();
    expect(stream.containers).toEqual([stream.container]);
    expect("podLabels" in stream).toBe(false);
    expect(openLogStreams(owner.id)).toBe(1);
    const events = await take(stream.events, 4);
    expect(events[0]?.type === "lines" && events[0].lines).toHaveLength(5);
    const later = events.slice(1).flatMap((e) => (e.type === "lines" ? e.lines : []));
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((l) => Date.parse(l.timestamp ?? "") > start)).toBe(true);
    // Leaving the loop ended the follow and gave the slot back.
    expect(openLogStreams(owner.id)).toBe(0);
  });

  it("is open to admins and the provider of the instance's cluster, to no other tenant or provider", async () => {
    for (const reader of [admin, clusterOwner]) {
      const stream = await followInstancePodLogs(
        as(reader),
        { id: instanceId, pod },
        { signal: new AbortController().signal },
      );
      stream.close();
      expect(openLogStreams(reader.id)).toBe(0);
    }
    for (const stranger of [otherTenant, otherInfra]) {
      const error = await failure(
        followInstancePodLogs(
          as(stranger),
          { id: instanceId, pod },
          { signal: new AbortController().signal },
        ),
      );
      expect(error instanceof DomainError && error.kind).toBe("not_found");
      expect(openLogStreams(stranger.id)).toBe(0);
    }
    const forbidden = await failure(
      followInstancePodLogs(as(noRole), { id: instanceId, pod }, { signal: new AbortController().signal }),
    );
    expect(forbidden instanceof DomainError && forbidden.kind).toBe("forbidden");
  });

  it("answers not found for a pod labelled for another instance, or one that does not exist", async () => {
    for (const name of ["foreign", "nope-0"]) {
      const error = await failure(
        followInstancePodLogs(
          as(owner),
          { id: instanceId, pod: name },
          { signal: new AbortController().signal },
        ),
      );
      expect(error instanceof DomainError && error.kind).toBe("not_found");
    }
    const bad = await failure(
      followInstancePodLogs(
        as(owner),
        { id: instanceId, pod, tailLines: -1 },
        { signal: new AbortController().signal },
      ),
    );
    expect(bad).toMatchObject({ kind: "invalid", field: "tailLines" });
    expect(openLogStreams(owner.id)).toBe(0);
  });

  it(`holds at most ${POD_LOG_STREAMS_PER_USER} follows per person, and an abort gives one back`, async () => {
    const controllers = Array.from({ length: POD_LOG_STREAMS_PER_USER }, () => new AbortController());
    const streams = [];
    for (const controller of controllers)
      streams.push(
        await followInstancePodLogs(as(owner), { id: instanceId, pod }, { signal: controller.signal }),
      );
    expect(openLogStreams(owner.id)).toBe(POD_LOG_STREAMS_PER_USER);
    expect(
      await failure(
        followInstancePodLogs(as(owner), { id: instanceId, pod }, { signal: new AbortController().signal }),
      ),
    ).toBeInstanceOf(TooManyLogStreams);
    // Another person is not affected.
    const admins = await followInstancePodLogs(
      as(admin),
      { id: instanceId, pod },
      { signal: new AbortController().signal },
    );
    admins.close();
    // The first follow is being read when its caller aborts: it ends without an end event.
    const reading = take(streams[0]!.events, 1_000);
    controllers[0]!.abort();
    expect((await reading).some((e) => e.type === "end")).toBe(false);
    expect(openLogStreams(owner.id)).toBe(POD_LOG_STREAMS_PER_USER - 1);
    for (const stream of streams.slice(1)) stream.close();
    expect(openLogStreams(owner.id)).toBe(0);
  });
});
