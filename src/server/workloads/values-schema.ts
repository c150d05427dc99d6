/**
 * values.schema.json checking: the subset of JSON Schema (draft-07 and
 * 2020-12 keywords) that chart authors use. Helm refuses to render when the
 * values break the chart's schema, so validation does too.
 *
 * Supported: type, enum, const, numeric and string bounds, pattern, items /
 * prefixItems / additionalItems / contains, properties / required /
 * additionalProperties / patternProperties / propertyNames / dependentRequired,
 * allOf / anyOf / oneOf / not, if / then / else, and local `$ref` ("#/…").
 * Remote `$ref`s are not fetched (an upload must not make the server call
 * out) and count as satisfied; `format` is an annotation, as by default in
 * the JSON Schema spec.
 */

export type JsonPath = (string | number)[];

export interface SchemaViolation {
  path: JsonPath;
  message: string;
}

type Schema = boolean | Record<string, unknown>;

const MAX_DEPTH = 64;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function jsonType(value: unknown): "null" | "boolean" | "object" | "array" | "number" | "string" {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
    case "bigint":
      return "number";
    case "string":
      return "string";
    default:
      return "object";
  }
}

function matchesType(value: unknown, type: string): boolean {
  const actual = jsonType(value);
  if (type === "integer") return actual === "number" && Number.isInteger(Number(value));
  return actual === type;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

/** "image.tag", "ports[0].name": how Helm and kubectl users read a value path. */
export function formatPath(path: JsonPath): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out ? `.${part}` : part;
  return out || "(root)";
}

function resolvePointer(root: Schema, ref: string): Schema | undefined {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isRecord(node)) node = node[key];
    else return undefined;
  }
  return typeof node === "boolean" || isRecord(node) ? node : undefined;
}

function regex(pattern: unknown): RegExp | undefined {
  if (typeof pattern !== "string") return undefined;
  try {
    return new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const describe = (value: unknown): string => {
  const type = jsonType(value);
  if (type === "number" && Number.isInteger(Number(value))) return "integer";
  return type;
};

class Validator {
  readonly violations: SchemaViolation[] = [];
  constructor(private readonly root: Schema) {}

  /** Collects violations into a scratch list (for anyOf / oneOf / not / if). */
  private probe(schema: Schema, value: unknown, path: JsonPath, depth: number): SchemaViolation[] {
    const inner = new Validator(this.root);
    inner.check(schema, value, path, depth);
    return inner.violations;
  }

  private fail(path: JsonPath, message: string): void {
    this.violations.push({ path, message });
  }

  check(schema: Schema, value: unknown, path: JsonPath, depth = 0): void {
    if (depth > MAX_DEPTH) {
      this.fail(path, "the schema nests too deeply (recursive $ref?)");
      return;
    }
    if (schema === true) return;
    if (schema === false) {
      this.fail(path, "is not allowed by the schema");
      return;
    }
    const s = schema;

    if (typeof s.$ref === "string") {
      const target = resolvePointer(this.root, s.$ref);
      if (target !== undefined) this.check(target, value, path, depth + 1);
    }

    if (s.type !== undefined) {
      const types = (Array.isArray(s.type) ? s.type : [s.type]).filter(
        (t): t is string => typeof t === "string",
      );
      if (types.length > 0 && !types.some((t) => matchesType(value, t))) {
        this.fail(path, `must be ${types.join(" or ")}, got ${describe(value)}`);
        return; // Further keyword errors would only repeat the type mismatch.
      }
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, value))) {
      this.fail(path, `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    }
    if ("const" in s && !deepEqual(s.const, value)) this.fail(path, `must be ${JSON.stringify(s.const)}`);

    if (typeof value === "number") this.checkNumber(s, value, path);
    if (typeof value === "string") this.checkString(s, value, path);
    if (Array.isArray(value)) this.checkArray(s, value, path, depth);
    if (isRecord(value)) this.checkObject(s, value, path, depth);

    if (Array.isArray(s.allOf))
      for (const sub of s.allOf as Schema[]) this.check(sub, value, path, depth + 1);
    if (Array.isArray(s.anyOf)) {
      const results = (s.anyOf as Schema[]).map((sub) => this.probe(sub, value, path, depth + 1));
      if (!results.some((r) => r.length === 0)) {
        this.fail(
          path,
          `must match at least one allowed schema (${results[0]?.[0]?.message ?? "none matched"})`,
        );
      }
    }
    if (Array.isArray(s.oneOf)) {
      const matches = (s.oneOf as Schema[]).filter(
        (sub) => this.probe(sub, value, path, depth + 1).length === 0,
      );
      if (matches.length !== 1) {
        this.fail(
          path,
          matches.length === 0 ? "must match one allowed schema" : "matches more than one allowed schema",
        );
      }
    }
    if (s.not !== undefined && this.probe(s.not as Schema, value, path, depth + 1).length === 0) {
      this.fail(path, "must not match the excluded schema");
    }
    if (s.if !== undefined) {
      const holds = this.probe(s.if as Schema, value, path, depth + 1).length === 0;
      const branch = holds ? s.then : s.else;
      if (branch !== undefined) this.check(branch as Schema, value, path, depth + 1);
    }
  }

  private checkNumber(s: Record<string, unknown>, value: number, path: JsonPath): void {
    const min = num(s.minimum);
    const max = num(s.maximum);
    // Draft-04 spelled exclusivity as booleans beside minimum/maximum; later drafts as numbers.
    const exMin = s.exclusiveMinimum === true ? min : num(s.exclusiveMinimum);
    const exMax = s.exclusiveMaximum === true ? max : num(s.exclusiveMaximum);
    if (min !== undefined && s.exclusiveMinimum !== true && value < min) this.fail(path, `must be >= ${min}`);
    if (max !== undefined && s.exclusiveMaximum !== true && value > max) this.fail(path, `must be <= ${max}`);
    if (exMin !== undefined && value <= exMin) this.fail(path, `must be > ${exMin}`);
    if (exMax !== undefined && value >= exMax) this.fail(path, `must be < ${exMax}`);
    const multipleOf = num(s.multipleOf);
    if (multipleOf !== undefined && multipleOf > 0) {
      const q = value / multipleOf;
      if (Math.abs(q - Math.round(q)) > 1e-9) this.fail(path, `must be a multiple of ${multipleOf}`);
    }
  }

  private checkString(s: Record<string, unknown>, value: string, path: JsonPath): void {
    const length = [...value].length;
    const minLength = num(s.minLength);
    const maxLength = num(s.maxLength);
    if (minLength !== undefined && length < minLength)
      this.fail(path, `must be at least ${minLength} characters`);
    if (maxLength !== undefined && length > maxLength)
      this.fail(path, `must be at most ${maxLength} characters`);
    const pattern = regex(s.pattern);
    if (pattern && !pattern.test(value)) this.fail(path, `must match the pattern ${String(s.pattern)}`);
  }

  private checkArray(s: Record<string, unknown>, value: unknown[], path: JsonPath, depth: number): void {
    const minItems = num(s.minItems);
    const maxItems = num(s.maxItems);
    if (minItems !== undefined && value.length < minItems)
      this.fail(path, `must have at least ${minItems} items`);
    if (maxItems !== undefined && value.length > maxItems)
      this.fail(path, `must have at most ${maxItems} items`);
    if (s.uniqueItems === true) {
      for (let i = 0; i < value.length; i++) {
        if (value.slice(0, i).some((other) => deepEqual(other, value[i]))) {
          this.fail(path, "must not contain duplicate items");
          break;
        }
      }
    }
    // Tuple form: 2020-12 prefixItems, or draft-07 items: [...] with additionalItems.
    const tuple = Array.isArray(s.prefixItems)
      ? (s.prefixItems as Schema[])
      : Array.isArray(s.items)
        ? (s.items as Schema[])
        : undefined;
    const rest = tuple ? (Array.isArray(s.prefixItems) ? s.items : s.additionalItems) : s.items;
    value.forEach((item, i) => {
      const sub = tuple && i < tuple.length ? tuple[i] : rest;
      if (sub !== undefined && (typeof sub === "boolean" || isRecord(sub)))
        this.check(sub, item, [...path, i], depth + 1);
    });
    if (s.contains !== undefined) {
      const any = value.some(
        (item, i) => this.probe(s.contains as Schema, item, [...path, i], depth + 1).length === 0,
      );
      if (!any) this.fail(path, "must contain an item matching the schema");
    }
  }

  private checkObject(
    s: Record<string, unknown>,
    value: Record<string, unknown>,
    path: JsonPath,
    depth: number,
  ) {
    const keys = Object.keys(value);
    const minProperties = num(s.minProperties);
    const maxProperties = num(s.maxProperties);
    if (minProperties !== undefined && keys.length < minProperties) {
      this.fail(path, `must have at least ${minProperties} properties`);
    }
    if (maxProperties !== undefined && keys.length > maxProperties) {
      this.fail(path, `must have at most ${maxProperties} properties`);
    }
    if (Array.isArray(s.required)) {
      for (const key of s.required) {
        if (typeof key === "string" && !Object.hasOwn(value, key)) this.fail([...path, key], "is required");
      }
    }
    const dependentRequired = isRecord(s.dependentRequired)
      ? s.dependentRequired
      : isRecord(s.dependencies)
        ? s.dependencies
        : undefined;
    if (dependentRequired) {
      for (const [key, needs] of Object.entries(dependentRequired)) {
        if (!Object.hasOwn(value, key)) continue;
        if (Array.isArray(needs)) {
          for (const need of needs) {
            if (typeof need === "string" && !Object.hasOwn(value, need)) {
              this.fail([...path, need], `is required when ${key} is set`);
            }
          }
        } else if (typeof needs === "boolean" || isRecord(needs)) {
          this.check(needs, value, path, depth + 1);
        }
      }
    }
    const properties = isRecord(s.properties) ? s.properties : {};
    const patterns = isRecord(s.patternProperties)
      ? Object.entries(s.patternProperties).flatMap(([p, sub]) => {
          const re = regex(p);
          return re && (typeof sub === "boolean" || isRecord(sub)) ? [{ re, sub }] : [];
        })
      : [];
    for (const key of keys) {
      const child = [...path, key];
      if (s.propertyNames !== undefined) {
        for (const v of this.probe(s.propertyNames as Schema, key, child, depth + 1)) {
          this.fail(child, `has an invalid name: ${v.message}`);
        }
      }
      let covered = false;
      const declared = properties[key];
      if (Object.hasOwn(properties, key) && (typeof declared === "boolean" || isRecord(declared))) {
        covered = true;
        this.check(declared, value[key], child, depth + 1);
      }
      for (const { re, sub } of patterns) {
        if (re.test(key)) {
          covered = true;
          this.check(sub, value[key], child, depth + 1);
        }
      }
      if (!covered && s.additionalProperties !== undefined) {
        if (s.additionalProperties === false) this.fail(child, "is not an allowed property");
        else if (isRecord(s.additionalProperties))
          this.check(s.additionalProperties, value[key], child, depth + 1);
      }
    }
  }
}

/** Every violation of `value` against `schema` (empty when it conforms). */
export function validateJsonSchema(schema: unknown, value: unknown): SchemaViolation[] {
  if (typeof schema !== "boolean" && !isRecord(schema)) {
    return [{ path: [], message: "the schema must be a JSON object" }];
  }
  const validator = new Validator(schema);
  validator.check(schema, value, []);
  return validator.violations;
}
