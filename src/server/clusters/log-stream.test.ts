import { describe, expect, it } from "vitest";
import { ClusterDriverError } from "./errors";
import { type PodLogLine, type PodLogStreamEvent } from "./driver";
import { boundedLogEvents, LineRateGate, LineSplitter } from "./log-stream";

const line = (text: string, timestamp: string | null = "2025-05-29T10:00:00Z"): PodLogLine => ({
  timestamp,
  text,
});

async function all(events: AsyncIterable<PodLogStreamEvent>): Promise<PodLogStreamEvent[]> {
  const out: PodLogStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe("LineSplitter", () => {
  it("joins lines cut across chunks, drops CR before LF, keeps a last line without a newline for flush", () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push(Buffer.from("one\ntw"))).toEqual(["one"]);
    expect(splitter.push(Buffer.from("o\r\nthr"))).toEqual(["two"]);
    expect(splitter.push(Buffer.from("ee"))).toEqual([]);
    expect(splitter.flush()).toBe("three");
    expect(splitter.flush()).toBeNull();
  });

  it("keeps a multi-byte character split across chunks whole", () => {
    const splitter = new LineSplitter(100);
    const bytes = Buffer.from("größe €\n", "utf8");
    expect(splitter.push(bytes.subarray(0, 3))).toEqual([]);
    expect(splitter.push(bytes.subarray(3))).toEqual(["größe €"]);
  });

  it("cuts a line at the byte cap, marks it, and skips the rest of it up to its newline", () => {
    const splitter = new LineSplitter(8);
    expect(splitter.push(Buffer.from("abcdef"))).toEqual([]);
    expect(splitter.push(Buffer.from("ghijkl"))).toEqual(["abcdefgh…"]);
    expect(splitter.push(Buffer.from("x".repeat(10_000)))).toEqual([]);
    expect(splitter.push(Buffer.from("yz\nnext\n"))).toEqual(["next"]);
    // A cut line that never ends leaves nothing to flush.
    expect(splitter.push(Buffer.from("0123456789"))).toEqual(["01234567…"]);
    expect(splitter.flush()).toBeNull();
  });
});

describe("LineRateGate", () => {
  it("passes at most perSecond lines in each second of its clock", () => {
    let now = 10_500;
    const gate = new LineRateGate(2, () => now);
    expect(gate.admit([line("a"), line("b"), line("c")])).toEqual({
      passed: [line("a"), line("b")],
      dropped: 1,
    });
    expect(gate.admit([line("d")])).toEqual({ passed: [], dropped: 1 });
    now = 11_000;
    expect(gate.admit([line("e")])).toEqual({ passed: [line("e")], dropped: 0 });
  });
});

describe("boundedLogEvents", () => {
  const clock = () => 0;

  it("ends a silent stream at its deadline: max-duration, and the source sees the abort", async () => {
    let fire: () => void = () => undefined;
    let sourceSignal: AbortSignal | undefined;
    const events = boundedLogEvents(
      async function* (signal) {
        sourceSignal = signal;
        yield [line("one")];
        await new Promise<void>((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }),
        );
      },
      {
        now: clock,
        linesPerSecond: 10,
        maxDurationMs: 60_000,
        setDeadline: (ms, callback) => {
          expect(ms).toBe(60_000);
          fire = callback;
          return () => undefined;
        },
      },
    );
    const iterator = events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: "lines", lines: [line("one")] });
    const next = iterator.next();
    fire();
    expect((await next).value).toEqual({ type: "end", reason: "max-duration", message: null });
    expect(sourceSignal?.aborted).toBe(true);
  });

  it("turns a driver failure half-way into an end with its sentence, and anything else into a fixed one", async () => {
    const failing = (error: Error) =>
      boundedLogEvents(
        async function* () {
          yield [line("before")];
          throw error;
        },
        { now: clock, linesPerSecond: 10, maxDurationMs: 1_000, setDeadline: () => () => undefined },
      );
    const driverError = new ClusterDriverError(
      "UNREACHABLE",
      "cluster edge: API server unreachable (ECONNRESET)",
      {
        cluster: "edge",
      },
    );
    expect((await all(failing(driverError))).at(-1)).toEqual({
      type: "end",
      reason: "error",
      message: "cluster edge: API server unreachable (ECONNRESET)",
    });
    expect((await all(failing(new Error("secret internal text 10.0.0.1")))).at(-1)).toEqual({
      type: "end",
      reason: "error",
      message: "reading the log failed unexpectedly",
    });
  });

  it("stops without an end event when the caller aborts, and closes the source", async () => {
    const controller = new AbortController();
    let closed = false;
    const events = boundedLogEvents(
      async function* (signal) {
        try {
          yield [line("one")];
          await new Promise<void>((_, reject) =>
            signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }),
          );
        } finally {
          closed = true;
        }
      },
      {
        now: clock,
        linesPerSecond: 10,
        maxDurationMs: 1_000,
        signal: controller.signal,
        setDeadline: () => () => undefined,
      },
    );
    const iterator = events[Symbol.asyncIterator]();
    await iterator.next();
    const next = iterator.next();
    controller.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(closed).toBe(true);
  });

  it("cuts a large batch into events of at most maxBatchLines lines, each with its last timestamp as cursor", async () => {
    const lines = Array.from({ length: 1_200 }, (_, i) =>
      line(`l${i}`, `2025-05-29T10:00:00.${String(i).padStart(4, "0")}Z`),
    );
    const events = await all(
      boundedLogEvents(
        async function* () {
          yield lines;
        },
        { now: clock, linesPerSecond: 2_000, maxDurationMs: 1_000, setDeadline: () => () => undefined },
      ),
    );
    expect(events.map((e) => (e.type === "lines" ? e.lines.length : e.type))).toEqual([500, 500, 200, "end"]);
    expect(events[2]).toMatchObject({ cursor: "2025-05-29T10:00:00.1199Z" });
  });
});
