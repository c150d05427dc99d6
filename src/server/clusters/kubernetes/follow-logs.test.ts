import { readFileSync } from "node:fs";
import type http from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type PodLogStreamEvent, podLogStreamEventSchema } from "../driver";
import { isClusterDriverError } from "../errors";
import { KubernetesClusterDriver } from "./kubernetes-driver";
import { type FakeApiServer, fixture, startFakeApiServer } from "./testing/fake-api-server";

/*
 * Contract tests of `followPodLogs` against a stand-in API server that
 * replays the recorded log as a chunked answer held open: the request the
 * driver sends, lines cut across chunks, abort closing the socket, and the
 * bounds (line length, lines per second, duration).
 */

const NS = "shop-caedfa4f";
const POD = "web-7c9d8f6b5-2xkqp";
const LOG_TEXT = readFileSync(new URL("./fixtures/pod-web-log.txt", import.meta.url), "utf8");
const START = Date.parse("2025-05-29T11:00:05Z");
const logPath = `/api/v1/namespaces/${NS}/pods/${POD}/log`;

let api: FakeApiServer;
let clock = START;

beforeEach(async () => {
  api = await startFakeApiServer();
  clock = START;
  api.on("GET", `/api/v1/namespaces/${NS}/pods/${POD}`, { status: 200, body: fixture("pod-web.json") });
});
afterEach(async () => {
  await api.close();
});

function driver() {
  return new KubernetesClusterDriver({
    cluster: "edge-1",
    kubeconfig: api.kubeconfig(),
    requestTimeoutMs: 2_000,
    now: () => clock,
  });
}

/** A writer the test drives chunk by chunk, and whether the driver closed the connection. */
function heldOpen() {
  let response: http.ServerResponse | undefined;
  let closed = false;
  let opened: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (opened = resolve));
  api.on("GET", logPath, {
    status: 200,
    stream: (res, whenClosed) => {
      response = res;
      void whenClosed.then(() => (closed = true));
      opened();
    },
  });
  return {
    ready,
    write: (text: string | Buffer) => response?.write(text),
    end: () => response?.end(),
    isClosed: () => closed,
  };
}

/** Reads events until `until` says stop (or the stream ends); each is checked against the wire schema. */
async function collect(
  iterator: AsyncIterator<PodLogStreamEvent>,
  until: (events: PodLogStreamEvent[]) => boolean = () => false,
): Promise<PodLogStreamEvent[]> {
  const events: PodLogStreamEvent[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) return events;
    events.push(podLogStreamEventSchema.parse(next.value));
    if (until(events)) return events;
  }
}

const textsOf = (events: PodLogStreamEvent[]) =>
  events.flatMap((e) => (e.type === "lines" ? e.lines.map((l) => l.text) : []));

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}

describe("kubernetes driver: followPodLogs", () => {
  it("holds one GET …/log?follow=true open and cuts the chunked answer into lines, across chunks", async () => {
    api.on("GET", logPath, {
      status: 200,
      // The recorded log in 37-byte chunks: most lines arrive in two or three pieces.
      stream: (res) => {
        const bytes = Buffer.from(LOG_TEXT, "utf8");
        let at = 0;
        const next = () => {
          if (at >= bytes.length) return void res.end();
          res.write(bytes.subarray(at, at + 37));
          at += 37;
          setImmediate(next);
        };
        next();
      },
    });
    const stream = await driver().followPodLogs({ namespace: NS, pod: POD });
    expect(stream).toMatchObject({
      container: "web",
      notice: null,
      containers: ["web", "log-shipper", "migrate"],
    });
    expect(stream.podLabels["nemo.eu/instance-id"]).toBe("caedfa4f");
    const events = await collect(stream.events[Symbol.asyncIterator]());
    const request = api.calls().find((c) => c.path === logPath);
    expect(request?.query).toEqual({ follow: "true", timestamps: "true", container: "web", tailLines: "0" });
    expect(request?.authorization).toBe("Bearer test-token");
    expect(textsOf(events)).toEqual(
      LOG_TEXT.trimEnd()
        .split("\n")
        .map((line) => line.slice(line.indexOf(" ") + 1)),
    );
    const lineEvents = events.filter((e) => e.type === "lines");
    expect(lineEvents.at(-1)).toMatchObject({ cursor: "2025-05-29T11:00:00.000000001Z" });
    expect(events.at(-1)).toEqual({ type: "end", reason: "ended", message: null });
  });

  it("goes on after a cursor: sinceTime in whole seconds, lines up to the cursor dropped", async () => {
    api.on("GET", logPath, { status: 200, stream: (res) => res.end(LOG_TEXT) });
    const stream = await driver().followPodLogs({
      namespace: NS,
      pod: POD,
      container: "log-shipper",
      sinceCursor: "2025-05-29T10:59:59.999999999Z",
    });
    const events = await collect(stream.events[Symbol.asyncIterator]());
    expect(api.calls().find((c) => c.path === logPath)?.query).toEqual({
      follow: "true",
      timestamps: "true",
      container: "log-shipper",
      sinceTime: "2025-05-29T10:59:59Z",
    });
    expect(events.flatMap((e) => (e.type === "lines" ? e.lines.map((l) => l.timestamp) : []))).toEqual([
      "2025-05-29T11:00:00.000000001Z",
    ]);
  });

  it("closes the connection when the caller aborts, and yields no end event", async () => {
    const server = heldOpen();
    const controller = new AbortController();
    const stream = await driver().followPodLogs(
      { namespace: NS, pod: POD, tailLines: 10 },
      { signal: controller.signal },
    );
    const iterator = stream.events[Symbol.asyncIterator]();
    const first = iterator.next();
    await server.ready;
    expect(api.calls().find((c) => c.path === logPath)?.query.tailLines).toBe("10");
    server.write("2025-05-29T11:00:06Z first line\n2025-05-29T11:00:07Z half of");
    expect((await first).value).toMatchObject({ type: "lines", lines: [{ text: "first line" }] });
    const second = iterator.next();
    controller.abort();
    expect(await second).toEqual({ done: true, value: undefined });
    await waitFor(server.isClosed);
  });

  it("closes the connection when the caller stops reading (leaves the loop)", async () => {
    const server = heldOpen();
    const stream = await driver().followPodLogs({ namespace: NS, pod: POD });
    const iterator = stream.events[Symbol.asyncIterator]();
    const first = iterator.next();
    await server.ready;
    server.write("2025-05-29T11:00:06Z one\n");
    await first;
    await iterator.return?.();
    await waitFor(server.isClosed);
  });

  it("cuts an over-long line at the cap and skips the rest of it without buffering it", async () => {
    const server = heldOpen();
    const stream = await driver().followPodLogs({ namespace: NS, pod: POD });
    const iterator = stream.events[Symbol.asyncIterator]();
    const reading = collect(iterator, (events) => textsOf(events).length >= 2);
    await server.ready;
    // 100 KiB of one line in 10 KiB chunks, then a normal line.
    server.write("2025-05-29T11:00:06Z ");
    for (let i = 0; i < 10; i++) server.write("y".repeat(10 * 1024));
    server.write("\n2025-05-29T11:00:07Z after\n");
    const texts = textsOf(await reading);
    expect(texts[0]).toHaveLength(4_096);
    expect(texts[0]?.endsWith("…")).toBe(true);
    expect(texts[1]).toBe("after");
    await iterator.return?.();
  });

  it("passes at most linesPerSecond lines per second of its clock and says how many it dropped", async () => {
    const server = heldOpen();
    const stream = await driver().followPodLogs({ namespace: NS, pod: POD, linesPerSecond: 3 });
    const iterator = stream.events[Symbol.asyncIterator]();
    const burst = Array.from({ length: 10 }, (_, i) => `2025-05-29T11:00:06.${100 + i}Z line ${i}\n`).join(
      "",
    );
    const first = collect(iterator, (events) => events.length === 1);
    await server.ready;
    server.write(burst);
    expect(textsOf(await first)).toEqual(["line 0", "line 1", "line 2"]);
    clock += 1_000;
    const next = collect(iterator, (events) => events.length === 2);
    server.write("2025-05-29T11:00:07Z next second\n");
    expect(await next).toEqual([
      { type: "dropped", count: 7 },
      {
        type: "lines",
        lines: [{ timestamp: "2025-05-29T11:00:07Z", text: "next second" }],
        cursor: "2025-05-29T11:00:07Z",
      },
    ]);
    // Dropped lines at the end are reported before the end.
    server.write(burst);
    server.end();
    const rest = await collect(iterator);
    expect(rest.slice(-2)).toEqual([
      { type: "dropped", count: 8 },
      { type: "end", reason: "ended", message: null },
    ]);
    expect(textsOf(rest)).toEqual(["line 0", "line 1"]);
  });

  it("ends with max-duration once its clock passes the maximum, and closes the connection", async () => {
    const server = heldOpen();
    const stream = await driver().followPodLogs({ namespace: NS, pod: POD, maxDurationMs: 5_000 });
    const iterator = stream.events[Symbol.asyncIterator]();
    const first = collect(iterator, (events) => events.length === 1);
    await server.ready;
    server.write("2025-05-29T11:00:06Z early\n");
    expect(textsOf(await first)).toEqual(["early"]);
    clock += 4_999;
    const second = collect(iterator, (events) => events.length === 1);
    server.write("2025-05-29T11:00:10Z still in time\n");
    expect(textsOf(await second)).toEqual(["still in time"]);
    // The clock passes the maximum while the server is silent: the next read ends the stream.
    clock += 1;
    expect(await collect(iterator)).toEqual([{ type: "end", reason: "max-duration", message: null }]);
    await waitFor(server.isClosed);
  });

  it("does not open the log of a container that has not started: the events end with why", async () => {
    api.on("GET", `/api/v1/namespaces/${NS}/pods/web-7c9d8f6b5-q8wzx`, {
      status: 200,
      body: fixture("pod-creating.json"),
    });
    const stream = await driver().followPodLogs({ namespace: NS, pod: "web-7c9d8f6b5-q8wzx" });
    expect(stream.notice).toBe("Container web is waiting to start: ContainerCreating");
    expect(await collect(stream.events[Symbol.asyncIterator]())).toEqual([
      { type: "end", reason: "waiting", message: "Container web is waiting to start: ContainerCreating" },
    ]);
    expect(api.calls().some((c) => c.path.endsWith("/log"))).toBe(false);
  });

  it("throws NOT_FOUND for a missing container and INVALID_ARGUMENT for bounds out of range, before any log request", async () => {
    const errorOf = (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (e: unknown) => (isClusterDriverError(e) ? e.type : String(e)),
      );
    expect(await errorOf(driver().followPodLogs({ namespace: NS, pod: POD, container: "nope" }))).toBe(
      "NOT_FOUND",
    );
    expect(await errorOf(driver().followPodLogs({ namespace: NS, pod: POD, linesPerSecond: 1e9 }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(await errorOf(driver().followPodLogs({ namespace: NS, pod: POD, sinceCursor: "then" }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(api.calls().some((c) => c.path.endsWith("/log"))).toBe(false);
  });

  it("ends with error and the driver's sentence when the API server refuses the log", async () => {
    api.on("GET", logPath, {
      status: 403,
      body: {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message: "pods/log is forbidden",
        reason: "Forbidden",
        code: 403,
      },
    });
    const stream = await driver().followPodLogs({ namespace: NS, pod: POD });
    const events = await collect(stream.events[Symbol.asyncIterator]());
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "end", reason: "error" });
    expect(events[0]?.type === "end" && events[0].message).toMatch(
      /cluster edge-1: following the log .* forbidden/,
    );
  });
});
