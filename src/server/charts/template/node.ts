/**
 * Parse-tree nodes of Go text/template (port of text/template/parse/node.go) and their
 * String() forms, which the parse vectors compare. Apart from parser.ts as in Go: exec.ts
 * walks these nodes and needs none of the parsing state.
 */
import type { Tree } from "./parser";

/** How TextNode prints in String(): Go uses %s; the parse tests use %q. */
let textFormatQuoted = false;
export function setTextFormatQuoted(q: boolean): void {
  textFormatQuoted = q;
}

export abstract class BaseNode {
  constructor(
    readonly pos: number,
    readonly tree: Tree,
  ) {}
  abstract toString(): string;
}

export class ListNode extends BaseNode {
  readonly kind = "list" as const;
  nodes: Node[] = [];
  toString(): string {
    return this.nodes.map((n) => n.toString()).join("");
  }
}

export class TextNode extends BaseNode {
  readonly kind = "text" as const;
  constructor(
    pos: number,
    tree: Tree,
    readonly text: string,
  ) {
    super(pos, tree);
  }
  toString(): string {
    return textFormatQuoted ? JSON.stringify(this.text) : this.text;
  }
}

export class CommentNode extends BaseNode {
  readonly kind = "comment" as const;
  constructor(
    pos: number,
    tree: Tree,
    readonly text: string,
  ) {
    super(pos, tree);
  }
  toString(): string {
    return `{{${this.text}}}`;
  }
}

export class PipeNode extends BaseNode {
  readonly kind = "pipe" as const;
  isAssign = false;
  decl: VariableNode[] = [];
  cmds: CommandNode[] = [];
  constructor(
    pos: number,
    tree: Tree,
    readonly line: number,
  ) {
    super(pos, tree);
  }
  toString(): string {
    let s = "";
    if (this.decl.length > 0) {
      s += this.decl.map((d) => d.toString()).join(", ");
      s += this.isAssign ? " = " : " := ";
    }
    s += this.cmds.map((c) => c.toString()).join(" | ");
    return s;
  }
}

export class ActionNode extends BaseNode {
  readonly kind = "action" as const;
  constructor(
    pos: number,
    tree: Tree,
    readonly line: number,
    readonly pipe: PipeNode,
  ) {
    super(pos, tree);
  }
  toString(): string {
    return `{{${this.pipe.toString()}}}`;
  }
}

export class CommandNode extends BaseNode {
  readonly kind = "command" as const;
  args: Node[] = [];
  toString(): string {
    return this.args.map((a) => (a instanceof PipeNode ? `(${a.toString()})` : a.toString())).join(" ");
  }
}

export class IdentifierNode extends BaseNode {
  readonly kind = "identifier" as const;
  constructor(
    pos: number,
    tree: Tree,
    readonly ident: string,
  ) {
    super(pos, tree);
  }
  toString(): string {
    return this.ident;
  }
}

export class VariableNode extends BaseNode {
  readonly kind = "variable" as const;
  readonly ident: string[];
  constructor(pos: number, tree: Tree, name: string) {
    super(pos, tree);
    this.ident = name.split(".");
  }
  toString(): string {
    return this.ident.join(".");
  }
}

export class DotNode extends BaseNode {
  readonly kind = "dot" as const;
  toString(): string {
    return ".";
  }
}

export class NilNode extends BaseNode {
  readonly kind = "nil" as const;
  toString(): string {
    return "nil";
  }
}

export class FieldNode extends BaseNode {
  readonly kind = "field" as const;
  readonly ident: string[];
  constructor(pos: number, tree: Tree, name: string) {
    super(pos, tree);
    this.ident = name.slice(1).split(".");
  }
  toString(): string {
    return "." + this.ident.join(".");
  }
}

export class ChainNode extends BaseNode {
  readonly kind = "chain" as const;
  field: string[] = [];
  constructor(
    pos: number,
    tree: Tree,
    readonly node: Node,
  ) {
    super(pos, tree);
  }
  add(field: string): void {
    if (field.length === 0 || field[0] !== ".") throw new Error("no dot in field");
    this.field.push(field.slice(1));
  }
  toString(): string {
    let s = this.node.toString();
    if (this.node instanceof PipeNode) s = `(${s})`;
    for (const f of this.field) s += "." + f;
    return s;
  }
}

export class BoolNode extends BaseNode {
  readonly kind = "bool" as const;
  constructor(
    pos: number,
    tree: Tree,
    readonly value: boolean,
  ) {
    super(pos, tree);
  }
  toString(): string {
    return this.value ? "true" : "false";
  }
}

export class NumberNode extends BaseNode {
  readonly kind = "number" as const;
  isInt = false;
  isUint = false;
  isFloat = false;
  isComplex = false;
  int64 = 0n;
  uint64 = 0n;
  float64 = 0;
  constructor(
    pos: number,
    tree: Tree,
    readonly text: string,
  ) {
    super(pos, tree);
  }
  toString(): string {
    return this.text;
  }
}

export class StringNode extends BaseNode {
  readonly kind = "string" as const;
  constructor(
    pos: number,
    tree: Tree,
    readonly quoted: string,
    readonly text: string,
  ) {
    super(pos, tree);
  }
  toString(): string {
    return this.quoted;
  }
}

export class EndNode extends BaseNode {
  readonly kind = "end" as const;
  toString(): string {
    return "{{end}}";
  }
}

export class ElseNode extends BaseNode {
  readonly kind = "else" as const;
  toString(): string {
    return "{{else}}";
  }
}

export class BranchNode extends BaseNode {
  constructor(
    readonly kind: "if" | "range" | "with",
    pos: number,
    tree: Tree,
    readonly line: number,
    readonly pipe: PipeNode,
    readonly list: ListNode,
    readonly elseList: ListNode | null,
  ) {
    super(pos, tree);
  }
  toString(): string {
    let s = `{{${this.kind} ${this.pipe.toString()}}}${this.list.toString()}`;
    if (this.elseList) s += `{{else}}${this.elseList.toString()}`;
    return s + "{{end}}";
  }
}

export class TemplateNode extends BaseNode {
  readonly kind = "template" as const;
  constructor(
    pos: number,
    tree: Tree,
    readonly line: number,
    readonly name: string,
    readonly pipe: PipeNode | null,
  ) {
    super(pos, tree);
  }
  toString(): string {
    if (!this.pipe) return `{{template ${JSON.stringify(this.name)}}}`;
    return `{{template ${JSON.stringify(this.name)} ${this.pipe.toString()}}}`;
  }
}

export class BreakNode extends BaseNode {
  readonly kind = "break" as const;
  toString(): string {
    return "{{break}}";
  }
}

export class ContinueNode extends BaseNode {
  readonly kind = "continue" as const;
  toString(): string {
    return "{{continue}}";
  }
}

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | PipeNode
  | ActionNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | EndNode
  | ElseNode
  | BranchNode
  | TemplateNode
  | BreakNode
  | ContinueNode;
