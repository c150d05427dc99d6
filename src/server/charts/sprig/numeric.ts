/** Sprig numeric functions; float arithmetic goes through exact decimals like shopspring/decimal. */
import { randomInt } from "node:crypto";
import { sprint } from "../template/format";
import { GoError, goFunc, int64, type GoFunc, type Value } from "../template/values";
import { checkSequenceLength } from "../template/limits";
import { toFloat64, toInt, toInt64 } from "./conv";

/** Minimal decimal: coef * 10^exp. */
interface Dec {
  coef: bigint;
  exp: number;
}

function decFromFloat(f: number): Dec {
  if (!Number.isFinite(f)) throw new GoError(`Cannot create a Decimal from ${f}`);
  const s = String(f);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
  if (!m) return { coef: 0n, exp: 0 };
  const frac = m[3] ?? "";
  const coef = BigInt((m[1] ?? "") + (m[2] ?? "0") + frac);
  return { coef, exp: Number(m[4] ?? 0) - frac.length };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.exp, b.exp);
  return [a.coef * 10n ** BigInt(a.exp - e), b.coef * 10n ** BigInt(b.exp - e), e];
}

function decToFloat(d: Dec): number {
  return Number(`${d.coef}e${d.exp}`);
}

const DIVISION_PRECISION = 16;

function decDiv(a: Dec, b: Dec): Dec {
  if (b.coef === 0n) throw new GoError("decimal division by 0");
  // Scale so that the quotient carries DIVISION_PRECISION+1 fractional digits, then round half away from zero.
  const targetExp = -(DIVISION_PRECISION + 1);
  const shift = a.exp - b.exp - targetExp;
  let num = a.coef;
  let den = b.coef;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  let q = num / den;
  const neg = q < 0n || (q === 0n && num < 0n !== den < 0n);
  let abs = q < 0n ? -q : q;
  const last = abs % 10n;
  abs = abs / 10n + (last >= 5n ? 1n : 0n);
  q = neg ? -abs : abs;
  return { coef: q, exp: -DIVISION_PRECISION };
}

type DecOp = (a: Dec, b: Dec) => Dec;

const decAdd: DecOp = (a, b) => {
  const [x, y, e] = align(a, b);
  return { coef: x + y, exp: e };
};
const decSub: DecOp = (a, b) => {
  const [x, y, e] = align(a, b);
  return { coef: x - y, exp: e };
};
const decMul: DecOp = (a, b) => ({ coef: a.coef * b.coef, exp: a.exp + b.exp });

function execDecimalOp(a: Value, b: Value[], op: DecOp): number {
  let prt = decFromFloat(toFloat64(a));
  for (const x of b) prt = op(prt, decFromFloat(toFloat64(x)));
  return decToFloat(prt);
}

export function untilStep(start: bigint, stop: bigint, step: bigint): bigint[] {
  const v: bigint[] = [];
  if (step !== 0n && (stop - start) / step > 0n) checkSequenceLength((stop - start) / step, "sequence");
  if (stop < start) {
    if (step >= 0n) return v;
    for (let i = start; i > stop; i += step) v.push(i);
    return v;
  }
  if (step <= 0n) return v;
  for (let i = start; i < stop; i += step) v.push(i);
  return v;
}

function seq(params: bigint[]): string {
  let increment = 1n;
  let list: bigint[];
  switch (params.length) {
    case 1: {
      const end = params[0] as bigint;
      if (end < 1n) increment = -1n;
      list = untilStep(1n, end + increment, increment);
      break;
    }
    case 2: {
      const [start = 0n, end = 0n] = params;
      const step = end < start ? -1n : 1n;
      list = untilStep(start, end + step, step);
      break;
    }
    case 3: {
      const [start = 0n, step = 0n, end = 0n] = params;
      if (end < start) {
        increment = -1n;
        if (step > 0n) return "";
      }
      list = untilStep(start, end + increment, step);
      break;
    }
    default:
      return "";
  }
  return list.map(String).join(" ");
}

function round(a: Value, p: bigint, rOpt: Value[]): number {
  const roundOn = rOpt.length > 0 ? (rOpt[0] as number) : 0.5;
  const val = toFloat64(a);
  const pow = Math.pow(10, Number(p));
  const digit = pow * val;
  const div = digit - Math.trunc(digit);
  const r = div >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

function divInt(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new GoError("runtime error: integer divide by zero");
  return a / b;
}

export function numericFuncs(): [string, GoFunc][] {
  return [
    ["atoi", goFunc(["string"], (s) => (/^[+-]?\d+$/.test(s as string) ? BigInt(s as string) : 0n))],
    ["int64", goFunc(["any"], (v) => int64(toInt64(v)))],
    ["int", goFunc(["any"], (v) => toInt(v))],
    ["float64", goFunc(["any"], (v) => toFloat64(v))],
    [
      "toDecimal",
      goFunc(["any"], (v) => {
        const s = sprint([v ?? null]);
        return int64(/^[+-]?[0-7]+$/.test(s) ? BigInt(s.replace(/^([+-]?)/, "$10o")) : 0n);
      }),
    ],
    ["seq", goFunc([], (...p) => seq(p as bigint[]), "int")],
    [
      "until",
      goFunc(["int"], (c) => {
        const n = c as bigint;
        return untilStep(0n, n, n < 0n ? -1n : 1n);
      }),
    ],
    [
      "untilStep",
      goFunc(["int", "int", "int"], (a, b, c) => untilStep(a as bigint, b as bigint, c as bigint)),
    ],
    ["add1", goFunc(["any"], (v) => int64(toInt64(v) + 1n))],
    ["add", goFunc([], (...v) => int64(v.reduce<bigint>((s, x) => s + toInt64(x), 0n)), "any")],
    ["sub", goFunc(["any", "any"], (a, b) => int64(toInt64(a) - toInt64(b)))],
    ["div", goFunc(["any", "any"], (a, b) => int64(divInt(toInt64(a), toInt64(b))))],
    [
      "mod",
      goFunc(["any", "any"], (a, b) => {
        const d = toInt64(b);
        if (d === 0n) throw new GoError("runtime error: integer divide by zero");
        return int64(toInt64(a) % d);
      }),
    ],
    [
      "mul",
      goFunc(["any"], (a, ...v) => int64(v.reduce<bigint>((s, x) => s * toInt64(x), toInt64(a))), "any"),
    ],
    [
      "randInt",
      goFunc(["int", "int"], (min, max) => {
        const lo = Number(min);
        const hi = Number(max);
        if (hi <= lo) throw new GoError("invalid argument to Intn");
        return BigInt(randomInt(lo, hi));
      }),
    ],
    ["add1f", goFunc(["any"], (v) => execDecimalOp(v, [1n], decAdd))],
    ["addf", goFunc([], (...v) => execDecimalOp(0n, v, decAdd), "any")],
    ["subf", goFunc(["any"], (a, ...v) => execDecimalOp(a, v, decSub), "any")],
    ["divf", goFunc(["any"], (a, ...v) => execDecimalOp(a, v, decDiv), "any")],
    ["mulf", goFunc(["any"], (a, ...v) => execDecimalOp(a, v, decMul), "any")],
    [
      "biggest",
      goFunc(
        ["any"],
        (a, ...v) => int64(v.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a))),
        "any",
      ),
    ],
    [
      "max",
      goFunc(
        ["any"],
        (a, ...v) => int64(v.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a))),
        "any",
      ),
    ],
    [
      "min",
      goFunc(
        ["any"],
        (a, ...v) => int64(v.reduce<bigint>((m, x) => (toInt64(x) < m ? toInt64(x) : m), toInt64(a))),
        "any",
      ),
    ],
    [
      "maxf",
      goFunc(
        ["any"],
        (a, ...v) => v.reduce<number>((m, x) => Math.max(m, toFloat64(x)), toFloat64(a)),
        "any",
      ),
    ],
    [
      "minf",
      goFunc(
        ["any"],
        (a, ...v) => v.reduce<number>((m, x) => Math.min(m, toFloat64(x)), toFloat64(a)),
        "any",
      ),
    ],
    ["ceil", goFunc(["any"], (a) => Math.ceil(toFloat64(a)))],
    ["floor", goFunc(["any"], (a) => Math.floor(toFloat64(a)))],
    ["round", goFunc(["any", "int"], (a, p, ...r) => round(a, p as bigint, r), "float64")],
  ];
}
