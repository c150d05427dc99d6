import { describe, expect, it } from "vitest";
import { highlightYaml, type Token } from "./yaml-highlight";

const kinds = (line: Token[] | undefined) =>
  (line ?? []).filter((t) => t.text.trim()).map((t) => `${t.kind}:${t.text.trim()}`);

describe("highlightYaml", () => {
  const source = [
    "---",
    "# Source: mychart/templates/service.yaml",
    "apiVersion: v1",
    "kind: Service",
    "metadata:",
    '  name: "web" # the name',
    "spec:",
    "  ports:",
    "    - port: 80",
    "      enabled: true",
    "      weight: -1.5e3",
    "  note: |",
    "    key: not a key",
    "    # not a comment",
    "  empty: {}",
    "  url: http://x#y",
  ].join("\n");
  const lines = highlightYaml(source);

  it("gives back every line unchanged", () => {
    expect(lines.map((tokens) => tokens.map((t) => t.text).join("")).join("\n")).toBe(source);
  });

  it("classifies keys, scalars, comments and markers", () => {
    expect(kinds(lines[0])).toEqual(["marker:---"]);
    expect(kinds(lines[1])).toEqual(["comment:# Source: mychart/templates/service.yaml"]);
    expect(kinds(lines[2])).toEqual(["key:apiVersion", "punctuation::", "string:v1"]);
    expect(kinds(lines[5])).toEqual(["key:name", "punctuation::", 'string:"web"', "comment:# the name"]);
    expect(kinds(lines[8])).toEqual(["punctuation:-", "key:port", "punctuation::", "number:80"]);
    expect(kinds(lines[9])).toEqual(["key:enabled", "punctuation::", "literal:true"]);
    expect(kinds(lines[10])).toEqual(["key:weight", "punctuation::", "number:-1.5e3"]);
  });

  it("treats block scalar lines as text, and a # inside a word as text", () => {
    expect(kinds(lines[11])).toEqual(["key:note", "punctuation::", "punctuation:|"]);
    expect(kinds(lines[12])).toEqual(["string:key: not a key"]);
    expect(kinds(lines[13])).toEqual(["string:# not a comment"]);
    expect(kinds(lines[14])).toEqual(["key:empty", "punctuation::", "punctuation:{}"]);
    expect(kinds(lines[15])).toEqual(["key:url", "punctuation::", "string:http://x#y"]);
  });
});
