import { describe, expect, it } from "vitest";
import { SseParser } from "./sse";

describe("SseParser", () => {
  it("yields events as their blocks complete, across chunks, skipping comments", () => {
    const parser = new SseParser();
    expect(parser.push('event: open\ndata: {"a":1}\n')).toEqual([]);
    expect(parser.push('\n: keep-alive\n\nevent: lines\r\ndata: {"b"')).toEqual([
      { event: "open", data: '{"a":1}' },
    ]);
    expect(parser.push(":2}\r\n\r\ndata: plain\ndata: two\n\n")).toEqual([
      { event: "lines", data: '{"b":2}' },
      { event: "message", data: "plain\ntwo" },
    ]);
  });

  it("ignores a block without data", () => {
    expect(new SseParser().push("event: nothing\n\n")).toEqual([]);
  });
});
