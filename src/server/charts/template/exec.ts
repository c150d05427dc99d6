/**
 * Execution of parsed templates with Go text/template semantics (port of exec.go):
 * pipelines, variables, control structures, field/method resolution, argument
 * conversion and Go's error messages.
 */
import { builtinFuncs, AND_OR } from "./builtins";
import { formatV } from "./format";
import {
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  ListNode,
  type NumberNode,
  type PipeNode,
  type TemplateNode,
  type VariableNode,
  type Node,
} from "./node";
import { RENDER_LIMITS, RenderBudget, RenderLimitError, type RenderLimit } from "./limits";
import { ParseError, Tree, isEmptyTree, parse } from "./parser";
import {
  GoError,
  GoObject,
  GoStruct,
  MethodMap,
  SizedInt,
  byteLength,
  isTrue,
  sortedKeys,
  typeName,
  type FuncMap,
  type GoFunc,
  type ParamType,
  type Value,
} from "./values";

export type MissingKey = "default" | "zero" | "error";

/** An execution error; `message` is exactly Go's error text. */
export class ExecError extends Error {
  constructor(
    message: string,
    /** false for errors Go does not wrap as template.ExecError (e.g. unknown template name). */
    readonly isExecError = true,
    /** Set when a render limit stopped execution: the error already names its place. */
    readonly limit?: RenderLimit,
  ) {
    super(message);
    this.name = "ExecError";
  }
}

const MISSING: unique symbol = Symbol("missing");
type Final = Value | typeof MISSING;

const enum Ctl {
  None,
  Break,
  Continue,
}

const maxExecDepth = 100000;

export interface SetOptions {
  leftDelim?: string;
  rightDelim?: string;
  missingKey?: MissingKey;
}

/**
 * A set of associated templates sharing functions (Go's *template.Template common part).
 * Parsed trees are immutable and may be shared between sets (see {@link clone}).
 */
export class TemplateSet {
  trees: Map<string, Tree>;
  funcs: FuncMap;
  /** Per-render functions consulted before `funcs` (Helm's include/tpl closures). */
  localFuncs: FuncMap | undefined;
  missingKey: MissingKey;
  leftDelim: string;
  rightDelim: string;
  funcNames: Set<string>;
  /** The render's spending; clones share it so include/tpl count against the same limits. */
  budget: RenderBudget = new RenderBudget();

  constructor(
    readonly name: string,
    funcs: FuncMap = new Map(),
    opts: SetOptions = {},
  ) {
    this.trees = new Map();
    this.funcs = funcs;
    this.funcNames = new Set(funcs.keys());
    this.missingKey = opts.missingKey ?? "default";
    this.leftDelim = opts.leftDelim ?? "";
    this.rightDelim = opts.rightDelim ?? "";
  }

  /** Equivalent of set.New(name).Parse(text): adds every tree, keeping non-empty old ones over empty new ones. */
  parse(name: string, text: string): void {
    const trees = parse(name, text, {
      leftDelim: this.leftDelim,
      rightDelim: this.rightDelim,
      funcs: this.funcNames,
    });
    this.addTrees(trees);
  }

  addTrees(trees: Map<string, Tree>): void {
    for (const [n, tree] of trees) {
      const old = this.trees.get(n);
      if (old && isEmptyTree(tree.root) && old.root) continue;
      this.trees.set(n, tree);
    }
  }

  lookup(name: string): Tree | undefined {
    return this.trees.get(name);
  }

  /** A copy that shares parse trees but can get new definitions without affecting this set. */
  clone(localFuncs?: FuncMap): TemplateSet {
    const c = new TemplateSet(this.name, this.funcs, {
      leftDelim: this.leftDelim,
      rightDelim: this.rightDelim,
      missingKey: this.missingKey,
    });
    c.trees = new Map(this.trees);
    c.funcNames = this.funcNames;
    c.localFuncs = localFuncs ?? this.localFuncs;
    c.budget = this.budget;
    return c;
  }

  /** ExecuteTemplate: run template `name` with `data` as dot. */
  execute(name: string, data: Value): string {
    const tree = this.trees.get(name);
    if (!tree)
      throw new ExecError(
        `template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(this.name)}`,
        false,
      );
    const dot = data === null ? undefined : data;
    const s = new State(this, name, dot);
    if (this.budget.depth > 0) {
      // Nested (include, tpl): the caller's state has already located the call.
      this.budget.enter();
    } else {
      try {
        this.budget.enter();
      } catch (e) {
        s.limitError(e);
      }
    }
    try {
      s.walk(dot, tree.root ?? s.errorf(`${JSON.stringify(name)} is an incomplete or empty template`));
    } finally {
      this.budget.leave();
    }
    return s.out;
  }
}

/** Location and context of a node as Go's Tree.ErrorContext reports them. */
export function errorContext(n: Node): { location: string; context: string } {
  const tree = n.tree;
  const text = tree.text.slice(0, n.pos);
  const nl = text.lastIndexOf("\n");
  const lineText = nl === -1 ? text : text.slice(nl + 1);
  let line = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return { location: `${tree.parseName}:${line}:${byteLength(lineText)}`, context: n.toString() };
}

interface Variable {
  name: string;
  value: Value;
}

function goTypeOfParam(t: ParamType): string {
  switch (t) {
    case "map":
      return "map[string]interface {}";
    case "slice":
      return "[]interface {}";
    case "any":
      return "interface {}";
    case "value":
      return "reflect.Value";
    default:
      return t;
  }
}

function canBeNil(t: ParamType): boolean {
  return t === "map" || t === "slice" || t === "any" || t === "value";
}

function assignable(v: Value, t: ParamType): boolean {
  switch (t) {
    case "any":
    case "value":
      return true;
    case "string":
      return typeof v === "string";
    case "int":
      return typeof v === "bigint";
    case "int64":
      return v instanceof SizedInt && v.type === "int64";
    case "uint32":
      return v instanceof SizedInt && v.type === "uint32";
    case "float64":
      return typeof v === "number";
    case "bool":
      return typeof v === "boolean";
    case "map":
      return v instanceof Map && !(v instanceof MethodMap);
    case "slice":
      return Array.isArray(v);
  }
}

class State {
  node: Node | null = null;
  vars: Variable[];
  out = "";
  depth = 0;

  constructor(
    readonly set: TemplateSet,
    public tmplName: string,
    dot: Value,
  ) {
    this.vars = [{ name: "$", value: dot }];
  }

  at(n: Node): void {
    this.node = n;
  }

  errorf(msg: string, limit?: RenderLimit): never {
    const name = this.tmplName;
    if (this.node === null) throw new ExecError(`template: ${name}: ${msg}`, true, limit);
    const { location, context } = errorContext(this.node);
    throw new ExecError(
      `template: ${location}: executing ${JSON.stringify(name)} at <${context}>: ${msg}`,
      true,
      limit,
    );
  }

  /** Rethrow a limit error with this state's place (template file and line); others unchanged. */
  limitError(e: unknown): never {
    if (e instanceof RenderLimitError) this.errorf(e.message, e.limit);
    throw e;
  }

  /** Append to the output, counting it against the render's output budget. */
  private emit(s: string): void {
    try {
      this.set.budget.write(s.length);
    } catch (e) {
      this.limitError(e);
    }
    this.out += s;
  }

  // --- variables

  push(name: string, value: Value): void {
    this.vars.push({ name, value });
  }
  mark(): number {
    return this.vars.length;
  }
  pop(mark: number): void {
    this.vars.length = mark;
  }
  setVar(name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  setTopVar(n: number, value: Value): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }
  varValue(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // --- walking

  walk(dot: Value, node: Node): Ctl {
    this.at(node);
    switch (node.kind) {
      case "action": {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return Ctl.None;
      }
      case "break":
        return Ctl.Break;
      case "continue":
        return Ctl.Continue;
      case "comment":
        return Ctl.None;
      case "if":
      case "with":
        return this.walkIfOrWith(node, dot);
      case "list":
        for (const n of node.nodes) {
          const c = this.walk(dot, n);
          if (c !== Ctl.None) return c;
        }
        return Ctl.None;
      case "range":
        this.walkRange(dot, node);
        return Ctl.None;
      case "template":
        this.walkTemplate(dot, node);
        return Ctl.None;
      case "text":
        this.emit(node.text);
        return Ctl.None;
      default:
        this.errorf(`unknown node: ${node.toString()}`);
    }
  }

  private walkIfOrWith(node: BranchNode, dot: Value): Ctl {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) {
        return this.walk(node.kind === "with" ? val : dot, node.list);
      } else if (node.elseList) {
        return this.walk(dot, node.elseList);
      }
      return Ctl.None;
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: Value, r: BranchNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const budget = this.set.budget;
      const oneIteration = (index: Value, elem: Value): Ctl => {
        try {
          budget.iterate();
        } catch (e) {
          this.at(r);
          this.limitError(e);
        }
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            if (decl.length > 1) this.setVar(decl[0]?.ident[0] ?? "", index);
            else this.setVar(decl[0]?.ident[0] ?? "", elem);
          } else {
            this.setTopVar(1, elem);
          }
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]?.ident[0] ?? "", elem);
          else this.setTopVar(2, index);
        }
        const c = this.walk(elem, r.list);
        this.pop(mark);
        return c;
      };
      let ran = false;
      if (Array.isArray(val)) {
        for (let i = 0; i < val.length; i++) {
          ran = true;
          if (oneIteration(BigInt(i), val[i]) === Ctl.Break) break;
        }
      } else if (val instanceof Uint8Array) {
        for (let i = 0; i < val.length; i++) {
          ran = true;
          if (oneIteration(BigInt(i), new SizedInt("uint8", BigInt(val[i] ?? 0))) === Ctl.Break) break;
        }
      } else if (val instanceof Map) {
        for (const k of sortedKeys(val)) {
          ran = true;
          if (oneIteration(k, val.get(k)) === Ctl.Break) break;
        }
      } else if (val === undefined || val === null) {
        // An invalid value is likely a nil map, etc. Not an error.
      } else if (typeof val === "bigint" || val instanceof SizedInt) {
        if (decl.length > 1) this.errorf(`can't use ${formatV(val)} to iterate over more than one variable`);
        const n = typeof val === "bigint" ? val : val.v;
        for (let i = 0n; i < n; i++) {
          ran = true;
          const v = typeof val === "bigint" ? i : new SizedInt(val.type, i);
          if (oneIteration(v, v) === Ctl.Break) break;
        }
      } else {
        this.errorf(`range can't iterate over ${formatV(val)}`);
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: Value, t: TemplateNode): void {
    this.at(t);
    const tree = this.set.lookup(t.name);
    if (!tree) this.errorf(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= maxExecDepth) this.errorf(`exceeded maximum template depth (${maxExecDepth})`);
    const newDot = this.evalPipeline(dot, t.pipe);
    const s = new State(this.set, t.name, newDot);
    s.depth = this.depth + 1;
    try {
      this.set.budget.enter();
    } catch (e) {
      this.at(t);
      this.limitError(e);
    }
    try {
      s.walk(newDot, tree.root ?? s.errorf(`${JSON.stringify(t.name)} is an incomplete or empty template`));
    } finally {
      this.set.budget.leave();
    }
    this.emit(s.out);
  }

  // --- evaluation

  evalPipeline(dot: Value, pipe: PipeNode | null): Value {
    if (!pipe) return undefined;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // interface{} values are unwrapped: a nil interface becomes an invalid value.
      if (value === null) value = undefined;
    }
    const v = value === MISSING ? undefined : value;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.ident[0] ?? "", v);
      else this.push(variable.ident[0] ?? "", v);
    }
    return v;
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING)
      this.errorf(`can't give argument to non-function ${args[0]?.toString()}`);
  }

  private evalCommand(dot: Value, cmd: CommandNode, final: Final): Value {
    const first = cmd.args[0] as Node;
    switch (first.kind) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
        break;
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
    }
    this.errorf(`can't evaluate command ${JSON.stringify(first.toString())}`);
  }

  private idealConstant(n: NumberNode): Value {
    this.at(n);
    if (n.isComplex) this.errorf("complex numbers are not supported");
    const isHexInt = /^0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !isHexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) return n.float64;
    if (n.isInt) return n.int64;
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: Value, field: FieldNode, args: Node[], final: Final): Value {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: Value, chain: ChainNode, args: Node[], final: Final): Value {
    this.at(chain);
    if (chain.field.length === 0) this.errorf("internal error: no fields in evalChainNode");
    if (chain.node.kind === "nil") this.errorf(`indirection through explicit nil in ${chain.toString()}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: Value, variable: VariableNode, args: Node[], final: Final): Value {
    this.at(variable);
    const value = this.varValue(variable.ident[0] ?? "");
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: Value,
    receiver: Value,
    node: Node,
    ident: string[],
    args: Node[],
    final: Final,
  ): Value {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++)
      receiver = this.evalField(dot, ident[i] ?? "", node, [], MISSING, receiver);
    return this.evalField(dot, ident[n - 1] ?? "", node, args, final, receiver);
  }

  private evalField(
    dot: Value,
    fieldName: string,
    node: Node,
    args: Node[],
    final: Final,
    receiver: Value,
  ): Value {
    if (receiver === undefined) {
      if (this.set.missingKey === "error")
        this.errorf(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoObject) {
      const m = receiver.method(fieldName);
      if (m) return this.evalCall(dot, m, false, node, fieldName, args, final);
      const f = receiver.field(fieldName);
      if (f) {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return f.value;
      }
    } else if (receiver instanceof Map) {
      if (receiver instanceof MethodMap) {
        const m = receiver.methods.get(fieldName);
        if (m) return this.evalCall(dot, m, false, node, fieldName, args, final);
      }
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      const result = receiver.get(fieldName);
      if (result === undefined && !receiver.has(fieldName)) {
        switch (this.set.missingKey) {
          case "default":
            return undefined;
          case "zero":
            return receiver instanceof MethodMap ? new Uint8Array(0) : null;
          case "error":
            this.errorf(`map has no entry for key ${JSON.stringify(fieldName)}`);
        }
      }
      return result;
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  private evalFunction(dot: Value, node: IdentifierNode, cmd: Node, args: Node[], final: Final): Value {
    this.at(node);
    const name = node.ident;
    const fn = this.set.localFuncs?.get(name) ?? this.set.funcs.get(name);
    if (fn) return this.evalCall(dot, fn, false, cmd, name, args, final);
    const b = builtinFuncs.get(name);
    if (b) return this.evalCall(dot, b, true, cmd, name, args, final);
    this.errorf(`${JSON.stringify(name)} is not a defined function`);
  }

  evalCall(
    dot: Value,
    fn: GoFunc,
    isBuiltin: boolean,
    node: Node,
    name: string,
    args: Node[],
    final: Final,
  ): Value {
    const argNodes = args.length > 0 ? args.slice(1) : args;
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    const params = fn.params;
    let numFixed = argNodes.length;
    if (fn.variadic !== undefined) {
      numFixed = params.length;
      if (numIn < numFixed)
        this.errorf(
          `wrong number of args for ${name}: want at least ${params.length} got ${argNodes.length}`,
        );
    } else if (numIn !== params.length) {
      this.errorf(`wrong number of args for ${name}: want ${params.length} got ${numIn}`);
    }

    if (isBuiltin && fn === AND_OR.get(name)) {
      // and/or short-circuit: evaluate arguments lazily.
      let v: Value = undefined;
      for (const arg of argNodes) {
        v = this.evalArg(dot, "value", arg);
        if (isTrue(v) === (name === "or")) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const argv: Value[] = new Array<Value>(numIn);
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++)
      argv[i] = this.evalArg(dot, params[i] ?? "any", argNodes[i] as Node);
    if (fn.variadic !== undefined) {
      for (; i < argNodes.length; i++) argv[i] = this.evalArg(dot, fn.variadic, argNodes[i] as Node);
    }
    if (final !== MISSING) {
      let t: ParamType = params[params.length - 1] ?? "any";
      if (fn.variadic !== undefined) t = numIn - 1 < numFixed ? (params[numIn - 1] ?? "any") : fn.variadic;
      argv[i] = this.validateType(final, t);
    }
    if (isBuiltin && name === "call") {
      const callee =
        argNodes.length === 0
          ? formatV(final === MISSING ? undefined : final)
          : (argNodes[0]?.toString() ?? "");
      argv.unshift(callee);
    }
    let result: Value;
    try {
      result = fn.fn(...argv);
    } catch (e) {
      // Stack exhaustion propagates untouched so a caller (Helm's include) can report it.
      if (e instanceof RangeError && e.message.includes("call stack")) throw e;
      // A limit hit deeper (inside an include) already names its place; don't wrap it per level.
      if (e instanceof ExecError && e.limit) throw e;
      this.at(node);
      if (e instanceof RenderLimitError) this.errorf(`error calling ${name}: ${e.message}`, e.limit);
      const msg = e instanceof Error ? e.message : String(e);
      this.errorf(`error calling ${name}: ${msg}`);
    }
    if (typeof result === "string" && result.length > RENDER_LIMITS.maxStringBytes) {
      this.at(node);
      this.errorf(
        `error calling ${name}: result of ${result.length} characters exceeds the limit of ${RENDER_LIMITS.maxStringBytes} (maxStringBytes)`,
        "maxStringBytes",
      );
    }
    return result;
  }

  private validateType(value: Value, typ: ParamType | null): Value {
    if (value === undefined) {
      if (typ === null || typ === "value") return undefined;
      if (typ === "any") return null;
      if (canBeNil(typ)) return null;
      this.errorf(`invalid value; expected ${goTypeOfParam(typ)}`);
    }
    if (typ === null || assignable(value, typ)) return value;
    this.errorf(
      `wrong type for value; expected ${goTypeOfParam(typ)}; got ${value === null ? "interface {}" : typeName(value)}`,
    );
  }

  private evalArg(dot: Value, typ: ParamType | null, n: Node): Value {
    this.at(n);
    switch (n.kind) {
      case "dot":
        return this.validateType(dot, typ);
      case "nil":
        if (typ === null || canBeNil(typ)) return typ === "value" ? undefined : null;
        this.errorf(`cannot assign nil to ${goTypeOfParam(typ)}`);
        break;
      case "field":
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case "variable":
        return this.validateType(this.evalVariableNode(dot, n, [], MISSING), typ);
      case "pipe":
        return this.validateType(this.evalPipeline(dot, n), typ);
      case "identifier":
        return this.validateType(this.evalFunction(dot, n, n, [], MISSING), typ);
      case "chain":
        return this.validateType(this.evalChainNode(dot, n, [], MISSING), typ);
    }
    switch (typ) {
      case "bool":
        if (n.kind === "bool") return n.value;
        this.errorf(`expected bool; found ${n.toString()}`);
        break;
      case "float64":
        if (n.kind === "number" && n.isFloat) return n.float64;
        this.errorf(`expected float; found ${n.toString()}`);
        break;
      case "int":
      case "int64":
        if (n.kind === "number" && n.isInt) return typ === "int" ? n.int64 : new SizedInt("int64", n.int64);
        this.errorf(`expected integer; found ${n.toString()}`);
        break;
      case "uint32":
        if (n.kind === "number" && n.isUint) return new SizedInt("uint32", BigInt.asUintN(32, n.uint64));
        this.errorf(`expected unsigned integer; found ${n.toString()}`);
        break;
      case "string":
        if (n.kind === "string") return n.text;
        this.errorf(`expected string; found ${n.toString()}`);
        break;
      case null:
      case "any":
      case "value":
        return this.evalEmptyInterface(dot, n);
    }
    this.errorf(`can't handle ${n.toString()} for arg of type ${goTypeOfParam(typ)}`);
  }

  private evalEmptyInterface(dot: Value, n: Node): Value {
    this.at(n);
    switch (n.kind) {
      case "bool":
        return n.value;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
    }
    this.errorf(`can't handle assignment of ${n.toString()} to empty interface argument`);
  }

  printValue(n: Node, v: Value): void {
    this.at(n);
    if (v === undefined) {
      this.emit("<no value>");
      return;
    }
    if (typeof v === "string") {
      this.emit(v);
      return;
    }
    if (v instanceof GoStruct && v.kind === "ptr") {
      // printableValue dereferences pointers before printing.
      const s = v.format();
      this.emit(s.startsWith("&") ? s.slice(1) : s);
      return;
    }
    this.emit(formatV(v));
  }
}

/** Builds a template set and parses every (name, text) pair in order. */
export function newTemplateSet(name: string, funcs: FuncMap, opts: SetOptions = {}): TemplateSet {
  return new TemplateSet(name, funcs, opts);
}

export { ParseError, ListNode, Tree, GoError };
