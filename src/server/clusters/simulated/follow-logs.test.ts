import { describe, expect, it } from "vitest";
import { type PodLogLine, type PodLogStreamEvent, podLogStreamEventSchema } from "../driver";
import { isClusterDriverError } from "../errors";
import { instanceLabels, makeContinuum, makeDeployment, SETTLE_MS } from "@/server/testing/cluster-factories";
import { SIMULATED_FOLLOW_POLL_MS, SimulatedClusterDriver } from "./simulated-driver";

/*
 * A simulated container's log followed: the continuum's (manual) clock
 * drives it, since each poll's sleep advances that clock and the container
 * "writes" what the load model gives for the time that passed.
 */

async function setup(seed = 7, settle = true) {
  const { continuum, clock } = makeContinuum({ seed });
  const driver = new SimulatedClusterDriver({ continuum, cluster: "test-cluster" });
  await driver.apply("shop", [makeDeployment({ name: "web", replicas: 1 })], {
    labels: instanceLabels("3b004d45"),
  });
  if (settle) clock.advance(SETTLE_MS);
  const tree = await driver.deploymentTree("shop");
  const pod = tree.nodes.find((n) => n.kind === "Pod")?.name ?? "";
  return { continuum, clock, driver, pod };
}

async function all(events: AsyncIterable<PodLogStreamEvent>): Promise<PodLogStreamEvent[]> {
  const out: PodLogStreamEvent[] = [];
  for await (const event of events) out.push(podLogStreamEventSchema.parse(event));
  return out;
}

const linesOf = (events: PodLogStreamEvent[]): PodLogLine[] =>
  events.flatMap((e) => (e.type === "lines" ? e.lines : []));

describe("simulated followPodLogs", () => {
  it("yields the lines the container writes as the clock moves, the same a later read returns, then max-duration", async () => {
    const { clock, driver, pod } = await setup();
    const start = new Date(clock.now()).toISOString();
    const stream = await driver.followPodLogs({ namespace: "shop", pod, maxDurationMs: 2 * 60_000 });
    expect(stream).toMatchObject({ container: "web", notice: null, containers: ["web"] });
    expect(stream.podLabels["nemo.eu/instance-id"]).toBe("3b004d45");
    const events = await all(stream.events);
    expect(events.at(-1)).toEqual({ type: "end", reason: "max-duration", message: null });
    // Two simulated minutes passed, one poll at a time.
    expect(clock.now()).toBe(Date.parse(start) + 2 * 60_000);
    const followed = linesOf(events);
    expect(followed.length).toBeGreaterThan(10);
    const read = await driver.readPodLogs({ namespace: "shop", pod, sinceCursor: start });
    expect(followed).toEqual(read.lines);
    // Lines came in many events, as they were written, not at the end.
    expect(events.filter((e) => e.type === "lines").length).toBeGreaterThan(5);
  });

  it("is the same for the same seed and clock", async () => {
    const a = await setup();
    const b = await setup();
    const follow = async (s: typeof a) =>
      all(
        (await s.driver.followPodLogs({ namespace: "shop", pod: s.pod, tailLines: 5, maxDurationMs: 60_000 }))
          .events,
      );
    const [eventsA, eventsB] = [await follow(a), await follow(b)];
    expect(eventsA).toEqual(eventsB);
    // The tail comes first, in one event.
    expect(eventsA[0]).toMatchObject({ type: "lines" });
    expect(eventsA[0]?.type === "lines" && eventsA[0].lines).toHaveLength(5);
  });

  it("goes on after a cursor without repeating a line", async () => {
    const { clock, driver, pod } = await setup();
    clock.advance(60_000);
    const tail = await driver.readPodLogs({ namespace: "shop", pod, tailLines: 3 });
    const stream = await driver.followPodLogs({
      namespace: "shop",
      pod,
      sinceCursor: tail.cursor ?? "",
      maxDurationMs: 30_000,
    });
    const followed = linesOf(await all(stream.events));
    const cursorAt = Date.parse(tail.cursor ?? "");
    expect(followed.every((l) => Date.parse(l.timestamp ?? "") > cursorAt)).toBe(true);
    expect(followed.length).toBeGreaterThan(0);
  });

  it("passes at most linesPerSecond lines per simulated second and counts the rest as dropped", async () => {
    const { clock, driver, pod } = await setup();
    const start = new Date(clock.now()).toISOString();
    const stream = await driver.followPodLogs({
      namespace: "shop",
      pod,
      linesPerSecond: 1,
      maxDurationMs: 60_000,
    });
    const events = await all(stream.events);
    const passed = linesOf(events).length;
    const dropped = events.reduce((sum, e) => sum + (e.type === "dropped" ? e.count : 0), 0);
    expect(dropped).toBeGreaterThan(0);
    const written = (await driver.readPodLogs({ namespace: "shop", pod, sinceCursor: start })).lines.length;
    expect(passed + dropped).toBe(written);
    // One poll per simulated second, so one line per poll at most.
    expect(events.every((e) => e.type !== "lines" || e.lines.length === 1)).toBe(true);
  });

  it("ends with ended when the pod goes away, and without an end when the caller aborts", async () => {
    const { driver, pod } = await setup();
    const stream = await driver.followPodLogs({ namespace: "shop", pod, maxDurationMs: 10 * 60_000 });
    const iterator = stream.events[Symbol.asyncIterator]();
    await iterator.next();
    await driver.deleteNamespace("shop");
    const rest: PodLogStreamEvent[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value);
    expect(rest.at(-1)).toEqual({ type: "end", reason: "ended", message: null });

    const other = await setup();
    const controller = new AbortController();
    const aborted = await other.driver.followPodLogs(
      { namespace: "shop", pod: other.pod, maxDurationMs: 10 * 60_000 },
      { signal: controller.signal },
    );
    const events: PodLogStreamEvent[] = [];
    for await (const event of aborted.events) {
      events.push(event);
      if (events.length === 3) controller.abort();
    }
    expect(events).toHaveLength(3);
    expect(events.some((e) => e.type === "end")).toBe(false);
    expect(SIMULATED_FOLLOW_POLL_MS).toBe(1_000);
  });

  it("ends with waiting (and says why) for a container that has not started, and NOT_FOUND for no such pod", async () => {
    const { driver, pod } = await setup(7, false);
    const stream = await driver.followPodLogs({ namespace: "shop", pod });
    expect(stream.notice).toMatch(/^Container web is waiting to start/);
    expect(await all(stream.events)).toEqual([{ type: "end", reason: "waiting", message: stream.notice }]);
    const error: unknown = await driver
      .followPodLogs({ namespace: "shop", pod: "nope" })
      .catch((e: unknown) => e);
    expect(isClusterDriverError(error) && error.type).toBe("NOT_FOUND");
  });
});
