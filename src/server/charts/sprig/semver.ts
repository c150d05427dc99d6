/** Masterminds/semver v3 compatible versions and constraints. */
import { GoError, GoObject, SizedInt, goFunc, type GoFunc, type Value } from "../template/values";

const semVerRe =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;
const strictRe =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export class Version extends GoObject {
  readonly goType = "*semver.Version";
  readonly kind = "ptr";
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: string,
    readonly metadata: string,
    readonly original: string,
  ) {
    super();
  }

  override toString(): string {
    let s = `${this.major}.${this.minor}.${this.patch}`;
    if (this.pre) s += "-" + this.pre;
    if (this.metadata) s += "+" + this.metadata;
    return s;
  }

  format(): string {
    return this.toString();
  }

  compare(o: Version): number {
    if (this.major !== o.major) return this.major > o.major ? 1 : -1;
    if (this.minor !== o.minor) return this.minor > o.minor ? 1 : -1;
    if (this.patch !== o.patch) return this.patch > o.patch ? 1 : -1;
    return comparePrerelease(this.pre, o.pre);
  }

  override method(name: string): GoFunc | undefined {
    const u = (v: bigint): SizedInt => new SizedInt("uint64", v);
    switch (name) {
      case "Major":
        return goFunc([], () => u(this.major));
      case "Minor":
        return goFunc([], () => u(this.minor));
      case "Patch":
        return goFunc([], () => u(this.patch));
      case "Prerelease":
        return goFunc([], () => this.pre);
      case "Metadata":
        return goFunc([], () => this.metadata);
      case "Original":
        return goFunc([], () => this.original);
      case "String":
        return goFunc([], () => this.toString());
      case "Compare":
        return goFunc(["any"], (o) => BigInt(this.compare(asVersion(o))));
      case "LessThan":
        return goFunc(["any"], (o) => this.compare(asVersion(o)) < 0);
      case "GreaterThan":
        return goFunc(["any"], (o) => this.compare(asVersion(o)) > 0);
      case "Equal":
        return goFunc(["any"], (o) => this.compare(asVersion(o)) === 0);
      case "IncMajor":
        return goFunc([], () => new Version(this.major + 1n, 0n, 0n, "", "", ""));
      case "IncMinor":
        return goFunc([], () => new Version(this.major, this.minor + 1n, 0n, "", "", ""));
      case "IncPatch":
        return goFunc([], () =>
          this.pre
            ? new Version(this.major, this.minor, this.patch, "", "", "")
            : new Version(this.major, this.minor, this.patch + 1n, "", "", ""),
        );
    }
    return undefined;
  }
}

function asVersion(v: Value): Version {
  if (v instanceof Version) return v;
  throw new GoError(`wrong type for value; expected *semver.Version`);
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  const ap = a.split(".");
  const bp = b.split(".");
  const n = Math.max(ap.length, bp.length);
  for (let i = 0; i < n; i++) {
    const x = ap[i];
    const y = bp[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return BigInt(x) > BigInt(y) ? 1 : -1;
    if (xn) return -1;
    if (yn) return 1;
    return x > y ? 1 : -1;
  }
  return 0;
}

function validatePrerelease(p: string): void {
  for (const part of p.split(".")) {
    if (/^\d+$/.test(part) && part.length > 1 && part.startsWith("0"))
      throw new GoError("Version segment starts with 0");
  }
}

export function newVersion(v: string): Version {
  const m = semVerRe.exec(v);
  if (!m) throw new GoError("Invalid Semantic Version");
  const num = (s: string | undefined): bigint => {
    const t = (s ?? "").replace(/^\./, "");
    return t === "" ? 0n : BigInt(t);
  };
  const pre = m[5] ?? "";
  if (pre) validatePrerelease(pre);
  return new Version(num(m[1]), num(m[2]), num(m[3]), pre, m[8] ?? "", v);
}

export function strictNewVersion(v: string): Version {
  if (!strictRe.exec(v)) throw new GoError("Invalid Semantic Version");
  return newVersion(v);
}

// --- constraints

const cv = String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const ops = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const constraintRe = new RegExp(String.raw`^\s*(${ops})\s*(${cv})\s*$`);
const findRe = new RegExp(String.raw`(${ops})\s*(${cv})`, "g");
const validRe = new RegExp(String.raw`^(\s*(${ops})\s*(${cv})\s*)((?:\s+|,\s*)(${ops})\s*(${cv})\s*)*$`);
const rangeRe = new RegExp(String.raw`\s*(${cv})\s+-\s+(${cv})\s*`, "g");

interface Constraint {
  con: Version;
  orig: string;
  op: string;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const isX = (s: string): boolean => s === "x" || s === "X" || s === "*";

function parseConstraint(c: string): Constraint {
  if (c.length === 0)
    return { con: newVersion("0.0.0"), orig: c, op: "", dirty: true, minorDirty: false, patchDirty: false };
  const m = constraintRe.exec(c);
  if (!m) throw new GoError(`improper constraint: ${c}`);
  const op = m[1] ?? "";
  const orig = m[2] ?? "";
  const major = m[3] ?? "";
  const minor = m[4] ?? "";
  const patch = m[5] ?? "";
  const pre = m[6] ?? "";
  let ver = orig;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major) || major === "") {
    ver = `0.0.0${pre}`;
    dirty = true;
  } else if (isX(minor.replace(/^\./, "")) || minor === "") {
    minorDirty = dirty = true;
    ver = `${major}.0.0${pre}`;
  } else if (isX(patch.replace(/^\./, "")) || patch === "") {
    patchDirty = dirty = true;
    ver = `${major}${minor}.0${pre}`;
  }
  let con: Version;
  try {
    con = newVersion(ver);
  } catch {
    throw new GoError("constraint Parser Error");
  }
  return { con, orig, op, dirty, minorDirty, patchDirty };
}

export class Constraints {
  constructor(readonly groups: Constraint[][]) {}
  check(v: Version): boolean {
    return this.groups.some((g) => g.every((c) => checkOne(v, c)));
  }
}

export function newConstraint(input: string): Constraints {
  const c = input.replace(rangeRe, (...a: string[]) => `>= ${a[1]}, <= ${a[11]}`);
  const groups: Constraint[][] = [];
  for (const part of c.split("||")) {
    if (!validRe.test(part)) throw new GoError(`improper constraint: ${part}`);
    const found = part.match(findRe) ?? [part];
    groups.push(found.map(parseConstraint));
  }
  return new Constraints(groups);
}

function tilde(v: Version, c: Constraint): boolean {
  if (v.compare(c.con) < 0) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty)
    return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

function checkOne(v: Version, c: Constraint): boolean {
  if (v.pre !== "" && c.con.pre === "") return false;
  const cmp = v.compare(c.con);
  switch (c.op) {
    case "":
    case "=":
      return c.dirty ? tilde(v, c) : cmp === 0;
    case "!=":
      if (c.dirty) {
        if (c.con.major !== v.major) return true;
        if (c.con.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (c.con.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty)
          return (v.pre !== "" || c.con.pre !== "") && comparePrerelease(v.pre, c.con.pre) !== 0;
      }
      return cmp !== 0;
    case ">":
      if (!c.dirty) return cmp === 1;
      if (v.major > c.con.major) return true;
      if (v.major < c.con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > c.con.minor;
      return cmp === 1;
    case "<":
      return cmp < 0;
    case ">=":
    case "=>":
      return cmp >= 0;
    case "<=":
    case "=<":
      if (!c.dirty) return cmp <= 0;
      if (v.major > c.con.major) return false;
      if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false;
      return true;
    case "~":
    case "~>":
      return tilde(v, c);
    case "^": {
      if (cmp < 0) return false;
      if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
      if (c.con.major === 0n && v.major > 0n) return false;
      if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
      if (c.con.minor === 0n && v.minor > 0n) return false;
      return c.con.patch === v.patch;
    }
  }
  return false;
}

/** Helm's chartutil.IsCompatibleRange. */
export function isCompatibleRange(constraint: string, version: string): boolean {
  try {
    return newConstraint(constraint).check(newVersion(version));
  } catch {
    return false;
  }
}

export function semverFuncs(): [string, GoFunc][] {
  return [
    ["semver", goFunc(["string"], (v) => newVersion(v as string))],
    [
      "semverCompare",
      goFunc(["string", "string"], (c, v) => newConstraint(c as string).check(newVersion(v as string))),
    ],
  ];
}
