import { describe, expect, it } from "vitest";
import { Lexer, T, type Item } from "./lexer";

function lex(input: string, left = "", right = ""): Item[] {
  const l = new Lexer("test", input, left, right, { emitComment: true, breakOK: true, continueOK: true });
  const items: Item[] = [];
  for (;;) {
    const it = l.nextItem();
    items.push(it);
    if (it.typ === T.EOF || it.typ === T.Error) return items;
  }
}

describe("template lexer", () => {
  it("splits text and actions", () => {
    const items = lex("a{{.X | printf `%d` 3}}b");
    expect(items.map((i) => i.val)).toEqual([
      "a",
      "{{",
      ".X",
      " ",
      "|",
      " ",
      "printf",
      " ",
      "`%d`",
      " ",
      "3",
      "}}",
      "b",
      "",
    ]);
  });

  it("applies trim markers to surrounding text", () => {
    const items = lex("x \n {{- 3 -}} \n y");
    expect(items.filter((i) => i.typ === T.Text).map((i) => i.val)).toEqual(["x", "y"]);
  });

  it("recognises keywords, variables and declarations", () => {
    const types = lex("{{range $i, $v := .L}}{{end}}").map((i) => i.typ);
    expect(types).toContain(T.Range);
    expect(types).toContain(T.Variable);
    expect(types).toContain(T.Declare);
    expect(types).toContain(T.End);
  });

  it("reports Go's errors with the starting line", () => {
    const last = lex("hello\n\n{{`unterminated\n\n}}").at(-1);
    expect(last?.typ).toBe(T.Error);
    expect(last?.val).toBe("unterminated raw quoted string");
    expect(last?.line).toBe(3);
  });

  it("supports custom delimiters", () => {
    expect(lex("<<.A>>", "<<", ">>").map((i) => i.val)).toEqual(["<<", ".A", ">>", ""]);
  });
});
