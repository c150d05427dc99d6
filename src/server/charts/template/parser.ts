/**
 * Parser for Go text/template (port of text/template/parse/parse.go): builds parse trees,
 * one per template name ({{define}} and {{block}} create extra trees). The nodes are in
 * node.ts, the lexer in lexer.ts and literal decoding in strconv.ts, as in Go.
 */
import { Lexer, T, itemString, type Item } from "./lexer";
import {
  ActionNode,
  BoolNode,
  BranchNode,
  BreakNode,
  ChainNode,
  CommandNode,
  CommentNode,
  ContinueNode,
  DotNode,
  ElseNode,
  EndNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  NilNode,
  NumberNode,
  PipeNode,
  StringNode,
  TemplateNode,
  TextNode,
  VariableNode,
  type Node,
} from "./node";
import { parseGoFloat, parseGoInt, unquoteGo } from "./strconv";

export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}

/** True if the list holds only whitespace text, comments and nothing else (Go parse.IsEmptyTree). */
export function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.kind) {
    case "list":
      return n.nodes.every(isEmptyTree);
    case "text":
      return n.text.trim() === "";
    case "comment":
      return true;
    default:
      return false;
  }
}

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_UINT64 = (1n << 64n) - 1n;

export interface ParseOptions {
  leftDelim?: string;
  rightDelim?: string;
  /** Names of callable functions; null skips the check (Go's SkipFuncCheck). */
  funcs: Set<string> | null;
}

const BUILTIN_NAMES = [
  "and",
  "call",
  "html",
  "index",
  "slice",
  "js",
  "len",
  "not",
  "or",
  "print",
  "printf",
  "println",
  "urlquery",
  "eq",
  "ge",
  "gt",
  "le",
  "lt",
  "ne",
];

const maxParenDepth = 10000;

export class Tree {
  name: string;
  parseName: string;
  root: ListNode | null = null;
  text = "";
  // parsing state
  private lex!: Lexer;
  private token: Item[] = [];
  private peekCount = 0;
  private vars: string[] = [];
  private treeSet!: Map<string, Tree>;
  private actionLine = 0;
  private rangeDepth = 0;
  private parenDepth = 0;
  private funcs: Set<string> | null = null;

  constructor(name: string) {
    this.name = name;
    this.parseName = name;
  }

  // --- token handling

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount] as Item;
  }
  private backup(): void {
    this.peekCount++;
  }
  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }
  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }
  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }
  private nextNonSpace(): Item {
    let token: Item;
    for (;;) {
      token = this.next();
      if (token.typ !== T.Space) break;
    }
    return token;
  }
  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // --- errors

  errorf(msg: string): never {
    this.root = null;
    const line = this.token[0]?.line ?? 1;
    throw new ParseError(`template: ${this.parseName}:${line}: ${msg}`);
  }
  private expect(expected: T, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== expected) this.unexpected(token, context);
    return token;
  }
  private expectOneOf(e1: T, e2: T, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== e1 && token.typ !== e2) this.unexpected(token, context);
    return token;
  }
  private unexpected(token: Item, context: string): never {
    if (token.typ === T.Error) {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  private startParse(funcs: Set<string> | null, lex: Lexer, treeSet: Map<string, Tree>): void {
    this.root = null;
    this.lex = lex;
    this.vars = ["$"];
    this.funcs = funcs;
    this.treeSet = treeSet;
  }

  private hasFunction(name: string): boolean {
    if (this.funcs === null) return true;
    return this.funcs.has(name) || BUILTIN_NAMES.includes(name);
  }

  private popVars(n: number): void {
    this.vars.length = n;
  }

  /** Parse the text into this tree and the trees it defines; the result map holds all of them. */
  parse(text: string, opts: ParseOptions, treeSet: Map<string, Tree>): void {
    this.parseName = this.name;
    const lexer = new Lexer(this.parseName, text, opts.leftDelim ?? "", opts.rightDelim ?? "", {
      emitComment: false,
      breakOK: true,
      continueOK: true,
    });
    this.startParse(opts.funcs, lexer, treeSet);
    this.text = text;
    this.parseTop();
    this.add();
  }

  private add(): void {
    const tree = this.treeSet.get(this.name);
    if (!tree || isEmptyTree(tree.root)) {
      this.treeSet.set(this.name, this);
      return;
    }
    if (!isEmptyTree(this.root))
      this.errorf(`template: multiple definition of template ${JSON.stringify(this.name)}`);
  }

  private parseTop(): void {
    this.root = new ListNode(this.peek().pos, this);
    while (this.peek().typ !== T.EOF) {
      if (this.peek().typ === T.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === T.Define) {
          const newT = new Tree("definition");
          newT.text = this.text;
          newT.parseName = this.parseName;
          newT.startParse(this.funcs, this.lex, this.treeSet);
          newT.shareTokens(this);
          newT.parseDefinition();
          this.adoptTokens(newT);
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.kind === "end" || n.kind === "else") this.errorf(`unexpected ${n.toString()}`);
      else this.root.nodes.push(n);
    }
  }

  // Sub-trees share the lexer and look-ahead buffer with their parent.
  private shareTokens(from: Tree): void {
    this.token = from.token;
    this.peekCount = from.peekCount;
  }
  private adoptTokens(from: Tree): void {
    this.token = from.token;
    this.peekCount = from.peekCount;
  }

  private parseDefinition(): void {
    const context = "define clause";
    const name = this.expectOneOf(T.String, T.RawString, context);
    try {
      this.name = unquoteGo(name.val);
    } catch (e) {
      this.errorf((e as Error).message);
    }
    this.expect(T.RightDelim, context);
    const [list, end] = this.itemList();
    this.root = list;
    if (end.kind !== "end") this.errorf(`unexpected ${end.toString()} in ${context}`);
    this.add();
  }

  private itemList(): [ListNode, Node] {
    const list = new ListNode(this.peekNonSpace().pos, this);
    while (this.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction();
      if (n.kind === "end" || n.kind === "else") return [list, n];
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Text:
        return new TextNode(token.pos, this, token.val);
      case T.LeftDelim: {
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case T.Comment:
        return new CommentNode(token.pos, this, token.val);
      default:
        this.unexpected(token, "input");
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Block:
        return this.blockControl();
      case T.Break:
        return this.breakControl(token.pos);
      case T.Continue:
        return this.continueControl(token.pos);
      case T.Else:
        return this.elseControl();
      case T.End:
        return this.endControl();
      case T.If:
        return this.branchControl("if");
      case T.Range:
        return this.branchControl("range");
      case T.Template:
        return this.templateControl();
      case T.With:
        return this.branchControl("with");
    }
    this.backup();
    const t = this.peek();
    return new ActionNode(t.pos, this, t.line, this.pipeline("command", T.RightDelim));
  }

  private breakControl(pos: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== T.RightDelim) this.unexpected(token, "{{break}}");
    if (this.rangeDepth === 0) this.errorf("{{break}} outside {{range}}");
    return new BreakNode(pos, this);
  }

  private continueControl(pos: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== T.RightDelim) this.unexpected(token, "{{continue}}");
    if (this.rangeDepth === 0) this.errorf("{{continue}} outside {{range}}");
    return new ContinueNode(pos, this);
  }

  private pipeline(context: string, end: T): PipeNode {
    const token = this.peekNonSpace();
    const pipe = new PipeNode(token.pos, this, token.line);
    // Declarations or assignments.
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ === T.Variable) {
        this.next();
        const tokenAfterVariable = this.peek();
        const next = this.peekNonSpace();
        if (next.typ === T.Assign || next.typ === T.Declare) {
          pipe.isAssign = next.typ === T.Assign;
          this.nextNonSpace();
          pipe.decl.push(new VariableNode(v.pos, this, v.val));
          this.vars.push(v.val);
        } else if (next.typ === T.Char && next.val === ",") {
          this.nextNonSpace();
          pipe.decl.push(new VariableNode(v.pos, this, v.val));
          this.vars.push(v.val);
          if (context === "range" && pipe.decl.length < 2) {
            const p = this.peekNonSpace().typ;
            if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue decls;
            this.errorf("range can only initialize variables");
          }
          this.errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.typ === T.Space) {
          this.backup3(v, tokenAfterVariable);
        } else {
          this.backup2(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case T.Bool:
        case T.CharConstant:
        case T.Complex:
        case T.Dot:
        case T.Field:
        case T.Identifier:
        case T.Number:
        case T.Nil:
        case T.RawString:
        case T.String:
        case T.Variable:
        case T.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const first = pipe.cmds[i]?.args[0];
      switch (first?.kind) {
        case "bool":
        case "dot":
        case "nil":
        case "number":
        case "string":
          this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private branchControl(context: "if" | "range" | "with"): Node {
    const nvars = this.vars.length;
    try {
      const pipe = this.pipeline(context, T.RightDelim);
      if (context === "range") this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.kind === "else") {
        if (
          (context === "if" && this.peek().typ === T.If) ||
          (context === "with" && this.peek().typ === T.With)
        ) {
          this.next();
          elseList = new ListNode(next.pos, this);
          elseList.nodes.push(this.branchControl(context));
        } else {
          [elseList, next] = this.itemList();
          if (next.kind !== "end") this.errorf(`expected end; found ${next.toString()}`);
        }
      }
      list = list ?? new ListNode(pipe.pos, this);
      return new BranchNode(context, pipe.pos, this, pipe.line, pipe, list, elseList);
    } finally {
      this.popVars(nvars);
    }
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.typ === T.If || peek.typ === T.With) return new ElseNode(peek.pos, this);
    const token = this.expect(T.RightDelim, "else");
    return new ElseNode(token.pos, this);
  }

  private endControl(): Node {
    return new EndNode(this.expect(T.RightDelim, "end").pos, this);
  }

  private blockControl(): Node {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, T.RightDelim);
    const block = new Tree(name);
    block.text = this.text;
    block.parseName = this.parseName;
    block.startParse(this.funcs, this.lex, this.treeSet);
    block.shareTokens(this);
    const [list, end] = block.itemList();
    block.root = list;
    if (end.kind !== "end") this.errorf(`unexpected ${end.toString()} in ${context}`);
    block.add();
    this.adoptTokens(block);
    return new TemplateNode(token.pos, this, token.line, name, pipe);
  }

  private templateControl(): Node {
    const context = "template clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== T.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, T.RightDelim);
    }
    return new TemplateNode(token.pos, this, token.line, name, pipe);
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.typ === T.String || token.typ === T.RawString) {
      try {
        return unquoteGo(token.val);
      } catch (e) {
        this.errorf((e as Error).message);
      }
    }
    this.unexpected(token, context);
  }

  private command(): CommandNode {
    const cmd = new CommandNode(this.peekNonSpace().pos, this);
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === T.Space) continue;
      if (token.typ === T.RightDelim || token.typ === T.RightParen) this.backup();
      else if (token.typ !== T.Pipe) this.unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  private operand(): Node | null {
    let node = this.term();
    if (!node) return null;
    if (this.peek().typ === T.Field) {
      const chain = new ChainNode(this.peek().pos, this, node);
      while (this.peek().typ === T.Field) chain.add(this.next().val);
      switch (node.kind) {
        case "field":
          node = new FieldNode(chain.pos, this, chain.toString());
          break;
        case "variable":
          node = new VariableNode(chain.pos, this, chain.toString());
          break;
        case "bool":
        case "string":
        case "number":
        case "nil":
        case "dot":
          this.errorf(`unexpected . after term ${JSON.stringify(node.toString())}`);
          break;
        default:
          node = chain;
      }
    }
    return node;
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Identifier:
        if (!this.hasFunction(token.val)) this.errorf(`function ${JSON.stringify(token.val)} not defined`);
        return new IdentifierNode(token.pos, this, token.val);
      case T.Dot:
        return new DotNode(token.pos, this);
      case T.Nil:
        return new NilNode(token.pos, this);
      case T.Variable:
        return this.useVar(token.pos, token.val);
      case T.Field:
        return new FieldNode(token.pos, this, token.val);
      case T.Bool:
        return new BoolNode(token.pos, this, token.val === "true");
      case T.CharConstant:
      case T.Complex:
      case T.Number:
        return this.newNumber(token.pos, token.val, token.typ);
      case T.LeftParen: {
        if (this.parenDepth >= maxParenDepth) this.errorf("max expression depth exceeded");
        this.parenDepth++;
        try {
          return this.pipeline("parenthesized pipeline", T.RightParen);
        } finally {
          this.parenDepth--;
        }
      }
      case T.String:
      case T.RawString: {
        let s: string;
        try {
          s = unquoteGo(token.val);
        } catch (e) {
          this.errorf((e as Error).message);
        }
        return new StringNode(token.pos, this, token.val, s);
      }
    }
    this.backup();
    return null;
  }

  private useVar(pos: number, name: string): Node {
    const v = new VariableNode(pos, this, name);
    const first = v.ident[0] ?? "";
    if (this.vars.includes(first)) return v;
    this.errorf(`undefined variable ${JSON.stringify(first)}`);
  }

  private newNumber(pos: number, text: string, typ: T): NumberNode {
    const n = new NumberNode(pos, this, text);
    if (typ === T.CharConstant) {
      let s: string;
      try {
        s = unquoteGo(text);
      } catch {
        this.errorf(`malformed character constant: ${text}`);
      }
      const cp = s.codePointAt(0);
      if (cp === undefined || [...s].length !== 1) this.errorf(`malformed character constant: ${text}`);
      n.int64 = BigInt(cp);
      n.isInt = true;
      n.uint64 = BigInt(cp);
      n.isUint = true;
      n.float64 = cp;
      n.isFloat = true;
      return n;
    }
    if (typ === T.Complex) {
      n.isComplex = true;
      return n;
    }
    if (text.endsWith("i")) {
      const f = parseGoFloat(text.slice(0, -1));
      if (f !== undefined) {
        n.isComplex = true;
        if (f === 0) {
          n.isInt = n.isUint = n.isFloat = true;
        }
        return n;
      }
    }
    const i = parseGoInt(text);
    if (i !== undefined) {
      if (i >= 0n && i <= MAX_UINT64) {
        n.isUint = true;
        n.uint64 = i;
      }
      if (i >= MIN_INT64 && i <= MAX_INT64) {
        n.isInt = true;
        n.int64 = i;
        if (i === 0n) {
          n.isUint = true;
          n.uint64 = 0n;
        }
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = parseGoFloat(text);
      if (f !== undefined) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${JSON.stringify(text)}`);
        n.isFloat = true;
        n.float64 = f;
        if (Number.isInteger(f) && f >= -9223372036854775808 && f < 9223372036854775808) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
        if (Number.isInteger(f) && f >= 0 && f < 18446744073709551616) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${JSON.stringify(text)}`);
    return n;
  }
}

/**
 * Parse `text` as template `name`. Returns every tree defined (the named one plus
 * {{define}}/{{block}} trees). Throws ParseError with Go's message on failure.
 */
export function parse(name: string, text: string, opts: ParseOptions): Map<string, Tree> {
  const treeSet = new Map<string, Tree>();
  const t = new Tree(name);
  t.parse(text, opts, treeSet);
  return treeSet;
}
