/**
 * The Sprig function map as Helm uses it (sprig.TxtFuncMap without env/expandenv).
 * Built once; callers copy it before adding per-render functions.
 */
import type { FuncMap, GoFunc } from "../template/values";
import { cryptoFuncs } from "./crypto";
import { dateFuncs } from "./dates";
import { generalFuncs } from "./general";
import { listFuncs } from "./lists";
import { numericFuncs } from "./numeric";
import { regexFuncs } from "./regex";
import { semverFuncs } from "./semver";
import { stringFuncs } from "./strings";
import { urlFuncs } from "./url";

let cached: FuncMap | undefined;

export function sprigFuncs(): FuncMap {
  if (!cached) {
    cached = new Map<string, GoFunc>([
      ...stringFuncs(),
      ...listFuncs(),
      ...numericFuncs(),
      ...generalFuncs(),
      ...regexFuncs(),
      ...semverFuncs(),
      ...dateFuncs(),
      ...cryptoFuncs(),
      ...urlFuncs(),
    ]);
  }
  return cached;
}
