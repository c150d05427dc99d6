import { describe, expect, it } from "vitest";
import { logFormat, prettyDestination, prettyLogLine, wantsColour } from "./log-format";

const json = (record: Record<string, unknown>) => JSON.stringify(record);

describe("LOG_FORMAT=pretty", () => {
  it("writes a pino line as time, level, process, message and the nouns as key=value", () => {
    const line = json({
      level: 30,
      time: "2026-12-07T14:38:09.123Z",
      service: "nemo-console",
      pid: 4242,
      hostname: "box",
      worker: "orchestrator",
      instance: 42,
      cluster: "edge-1",
      reason: "no cluster can take it",
      msg: "instance deployed",
    });
    expect(prettyLogLine(line)).toBe(
      '14:38:09 INFO  orchestrator instance deployed  instance=42  cluster=edge-1  reason="no cluster can take it"',
    );
  });

  it("names the level and shows an error's stack under the line", () => {
    const line = json({
      level: 50,
      time: "2026-12-07T14:38:09.123Z",
      service: "supervisor",
      err: { message: "boom", stack: "Error: boom\n    at x (y.ts:1:1)" },
      msg: "close failed",
    });
    expect(prettyLogLine(line)).toBe(
      "14:38:09 ERROR supervisor close failed\n    Error: boom\n        at x (y.ts:1:1)",
    );
    expect(prettyLogLine(json({ level: 40, time: 0, msg: "slow", nested: { a: 1 } }))).toBe(
      '00:00:00 WARN  slow  nested={"a":1}',
    );
  });

  it("passes lines that are not JSON objects through unchanged", () => {
    expect(prettyLogLine("▲ Next.js ready\n")).toBe("▲ Next.js ready");
    expect(prettyLogLine("[1,2]")).toBe("[1,2]");
  });

  it("colours only when asked", () => {
    const line = json({ level: 30, time: "2026-12-07T14:38:09Z", msg: "hi" });
    expect(prettyLogLine(line, { colour: true })).toContain("\u001b[32mINFO \u001b[0m");
    expect(prettyLogLine(line)).not.toContain("\u001b[");
    expect(wantsColour({ isTTY: true }, {})).toBe(true);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColour({ isTTY: false }, {})).toBe(false);
  });

  it("is a pino destination writing one pretty line per record", () => {
    const written: string[] = [];
    const destination = prettyDestination({ write: (chunk: string) => written.push(chunk) });
    destination.write(`${json({ level: 20, time: "2026-12-07T00:00:01Z", msg: "a" })}\n`);
    expect(written).toEqual(["00:00:01 DEBUG a\n"]);
  });

  it("stays JSON unless LOG_FORMAT=pretty", () => {
    expect(logFormat({})).toBe("json");
    expect(logFormat({ LOG_FORMAT: "json" })).toBe("json");
    expect(logFormat({ LOG_FORMAT: "pretty" })).toBe("pretty");
  });
});
