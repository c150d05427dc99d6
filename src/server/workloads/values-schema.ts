/**
 * values.schema.json checking with Ajv. Helm refuses to render when the
 * values break the chart's schema, so validation does too.
 *
 * The dialect follows the schema's `$schema`, as Helm's validators do:
 * 2020-12 (Helm 4) and 2019-09 get their own Ajv; anything else (draft-07,
 * draft-06, older or no `$schema`) is checked with draft-07 semantics, as
 * Helm 3 does. Formats are asserted (ajv-formats).
 *
 * The schema is chart input, so it is treated as hostile:
 * - nothing is fetched: there is no loader, and a `$ref` that points outside
 *   the file is reported as a problem of the schema;
 * - size, depth and breadth are bounded before Ajv sees it (Ajv's compile
 *   time grows faster than linearly with breadth, and deep schemas overflow
 *   the stack);
 * - validation stops at the first violation, so a values file cannot make
 *   it allocate one error per item;
 * - each schema gets its own Ajv instance, so one chart's `$id`s can neither
 *   clash with nor be resolved by another chart's schema, and an evicted
 *   schema leaves nothing behind.
 * Compiled validators are cached per schema text in a small LRU.
 */
import Ajv, { type ErrorObject, type Options, type ValidateFunction } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";
import draft06MetaSchema from "ajv/dist/refs/json-schema-draft-06.json";
import addFormats from "ajv-formats";

export type JsonPath = (string | number)[];

export interface SchemaViolation {
  path: JsonPath;
  message: string;
}

export type ValuesSchemaCheck =
  | { ok: true }
  /** The values break the schema (the first violation found). */
  | { ok: false; violation: SchemaViolation }
  /** The schema itself cannot be used (not a schema, too big, remote `$ref`, …). */
  | { ok: false; schemaProblem: string };

export const VALUES_SCHEMA_LIMITS = {
  maxBytes: 1024 * 1024,
  /** Nesting of objects and arrays in the schema document. */
  maxDepth: 64,
  /** Objects and arrays in the schema document. */
  maxNodes: 5_000,
  /** Members of any one object or array (e.g. entries of `properties`). */
  maxMembers: 1_000,
};

const CACHE_MAX_ENTRIES = 64;
const CACHE_MAX_BYTES = 8 * 1024 * 1024;

type Dialect = "draft-07" | "2019-09" | "2020-12";

const DIALECTS: { pattern: RegExp; dialect: Dialect; meta: string }[] = [
  {
    pattern: /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/,
    dialect: "2020-12",
    meta: "https://json-schema.org/draft/2020-12/schema",
  },
  {
    pattern: /^https?:\/\/json-schema\.org\/draft\/2019-09\/schema#?$/,
    dialect: "2019-09",
    meta: "https://json-schema.org/draft/2019-09/schema",
  },
  {
    pattern: /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/,
    dialect: "draft-07",
    meta: "http://json-schema.org/draft-07/schema#",
  },
  {
    pattern: /^https?:\/\/json-schema\.org\/draft-06\/schema#?$/,
    dialect: "draft-07",
    meta: "http://json-schema.org/draft-06/schema#",
  },
];

const AJV_OPTIONS: Options = {
  // Chart schemas carry keywords of their own ("form", "x-…") and loose forms that Helm accepts.
  strict: false,
  allErrors: false,
  $data: false,
  // Unknown formats and keywords are the chart's business, not the server log's.
  logger: false,
  // Checked explicitly before compiling, so the problem can be worded for the chart author.
  validateSchema: false,
  // Inlining copies a referenced schema into every place that uses it: code size would grow as uses × size.
  inlineRefs: false,
  ownProperties: true,
  // Ajv's optimiser passes grow quadratically with a schema's breadth (seconds for 1,000 properties).
  code: { optimize: false },
};

function newAjv(dialect: Dialect): Ajv {
  const ajv =
    dialect === "2020-12"
      ? new Ajv2020(AJV_OPTIONS)
      : dialect === "2019-09"
        ? new Ajv2019(AJV_OPTIONS)
        : new Ajv(AJV_OPTIONS);
  if (dialect === "draft-07") ajv.addMetaSchema(draft06MetaSchema);
  addFormats(ajv);
  return ajv;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** "image.tag", "ports[0].name": how Helm and kubectl users read a value path. */
export function formatPath(path: JsonPath): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out ? `.${part}` : part;
  return out || "(root)";
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "bigint") return "integer";
  return typeof value === "object" ? "object" : typeof value;
}

/** A value for a message: JSON, cut short so a huge `const` cannot flood the problem list. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Bounds the schema document before compiling; iterative, so a deep document cannot overflow the stack. */
function tooComplex(schema: unknown): string | undefined {
  const limits = VALUES_SCHEMA_LIMITS;
  const stack: { node: unknown; depth: number }[] = [{ node: schema, depth: 1 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (typeof node !== "object" || node === null) continue;
    nodes += 1;
    if (nodes > limits.maxNodes) return `it has more than ${limits.maxNodes} objects and arrays`;
    if (depth > limits.maxDepth) return `it nests more than ${limits.maxDepth} levels deep`;
    const members = Array.isArray(node) ? node : Object.values(node);
    if (members.length > limits.maxMembers) {
      return `an object or array in it has more than ${limits.maxMembers} members`;
    }
    for (const member of members) stack.push({ node: member, depth: depth + 1 });
  }
  return undefined;
}

type Compiled = { ok: true; validate: ValidateFunction } | { ok: false; schemaProblem: string };

function compile(text: string): Compiled {
  const fail = (problem: string): Compiled => ({ ok: false, schemaProblem: `values.schema.json ${problem}` });
  const limits = VALUES_SCHEMA_LIMITS;
  if (Buffer.byteLength(text) > limits.maxBytes) {
    return fail(`is larger than ${limits.maxBytes / 1024} KiB, too large to check.`);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text) as unknown;
  } catch (error) {
    return fail(`is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof schema !== "boolean" && !isRecord(schema)) return fail("must be a JSON object.");
  const complexity = tooComplex(schema);
  if (complexity) return fail(`is too complex to check: ${complexity}.`);

  let dialect: Dialect = "draft-07";
  if (isRecord(schema)) {
    const declared = typeof schema.$schema === "string" ? schema.$schema : "";
    const known = DIALECTS.find((d) => d.pattern.test(declared));
    dialect = known?.dialect ?? "draft-07";
    // Spelled the way Ajv registers its meta-schemas; others (draft-04, custom) are read as draft-07.
    const { $schema: _declared, ...rest } = schema;
    schema = known ? { ...rest, $schema: known.meta } : rest;
  }
  const ajv = newAjv(dialect);
  try {
    if (!ajv.validateSchema(schema as object | boolean)) {
      const error = ajv.errors?.at(-1);
      const where = error?.instancePath || "(root)";
      return fail(`is not a valid ${dialect} JSON Schema: ${where} ${error?.message ?? "is invalid"}.`);
    }
    const validate = ajv.compile(schema as object | boolean);
    // An $async schema validates through a promise, which would read as "valid" here.
    if ((validate as { $async?: unknown }).$async === true)
      return fail("uses $async, which Helm does not support.");
    return { ok: true, validate };
  } catch (error) {
    return { ok: false, schemaProblem: compileProblem(error) };
  }
}

function compileProblem(error: unknown): string {
  if (error instanceof Ajv.MissingRefError) {
    const target = error.missingSchema || error.missingRef;
    if (/^https?:/i.test(target)) {
      return (
        `values.schema.json refers to "${target}", outside the chart: remote schemas are not fetched; ` +
        `copy what it needs under "definitions" (or "$defs") and refer to that.`
      );
    }
    return `values.schema.json has a $ref that cannot be resolved: "${error.missingRef}".`;
  }
  if (error instanceof RangeError) {
    return "values.schema.json nests too deeply to check (a $ref that refers to itself?).";
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SyntaxError) return `values.schema.json has an invalid pattern: ${message}`;
  return `values.schema.json cannot be compiled: ${message}`;
}

/** Least-recently-used cache bounded by entries and by the schema text it holds. */
class CompiledSchemas {
  private readonly entries = new Map<string, Compiled>();
  private bytes = 0;

  get(text: string): Compiled {
    const hit = this.entries.get(text);
    if (hit) {
      this.entries.delete(text);
      this.entries.set(text, hit);
      return hit;
    }
    const compiled = compile(text);
    this.entries.set(text, compiled);
    this.bytes += text.length;
    for (const [oldest] of this.entries) {
      if (this.entries.size <= CACHE_MAX_ENTRIES && this.bytes <= CACHE_MAX_BYTES) break;
      if (oldest === text) break; // Keep the one just compiled, even if it alone is over the bound.
      this.entries.delete(oldest);
      this.bytes -= oldest.length;
    }
    return compiled;
  }

  get size(): number {
    return this.entries.size;
  }
}

const cache = new CompiledSchemas();

/** Number of compiled schemas held (for tests of the bound). */
export function cachedSchemaCount(): number {
  return cache.size;
}

export const VALUES_SCHEMA_CACHE_MAX_ENTRIES = CACHE_MAX_ENTRIES;

/** Walks an Ajv instance path ("/ports/2") through the data: the path as JsonPath, and the value there. */
function locate(data: unknown, pointer: string): { path: JsonPath; value: unknown } {
  const path: JsonPath = [];
  let value = data;
  if (pointer === "") return { path, value };
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(value)) {
      const index = Number(key);
      path.push(index);
      value = value[index];
    } else {
      path.push(key);
      value = isRecord(value) ? value[key] : undefined;
    }
  }
  return { path, value };
}

/** Today's wording ("must be integer, got string") from an Ajv error, and where it applies. */
function violationOf(errors: readonly ErrorObject[], data: unknown): SchemaViolation {
  const error = errors.at(-1);
  if (!error) return { path: [], message: "does not meet the schema" };
  const { path, value } = locate(data, error.instancePath);
  const params = error.params as Record<string, unknown>;
  const at = (key: unknown): JsonPath => (typeof key === "string" ? [...path, key] : path);
  /** The first error from inside a combinator (anyOf's first branch, propertyNames' name check). */
  const inner = () => {
    const nested = errors.find((e) => e !== error && e.schemaPath.startsWith(`${error.schemaPath}/`));
    return nested ? violationOf([nested], data).message : undefined;
  };

  switch (error.keyword) {
    case "type": {
      const types = Array.isArray(params.type) ? params.type : String(params.type).split(",");
      return { path, message: `must be ${types.join(" or ")}, got ${describeType(value)}` };
    }
    case "required":
      return { path: at(params.missingProperty), message: "is required" };
    case "dependencies":
    case "dependentRequired":
      return {
        path: at(params.missingProperty),
        message: `is required when ${String(params.property)} is set`,
      };
    case "additionalProperties":
      return { path: at(params.additionalProperty), message: "is not an allowed property" };
    case "unevaluatedProperties":
      return { path: at(params.unevaluatedProperty), message: "is not an allowed property" };
    case "propertyNames": {
      const why = inner();
      return {
        path: at(params.propertyName),
        message: why ? `has an invalid name: ${why}` : "has an invalid name",
      };
    }
    case "false schema":
      return { path, message: "is not allowed by the schema" };
    case "enum": {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      const listed = allowed.slice(0, 10).map(show).join(", ");
      return {
        path,
        message: `must be one of ${listed}${allowed.length > 10 ? `, … (${allowed.length} in all)` : ""}`,
      };
    }
    case "const":
      return { path, message: `must be ${show(params.allowedValue)}` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { path, message: `must be ${String(params.comparison)} ${String(params.limit)}` };
    case "multipleOf":
      return { path, message: `must be a multiple of ${String(params.multipleOf)}` };
    case "minLength":
      return { path, message: `must be at least ${String(params.limit)} characters` };
    case "maxLength":
      return { path, message: `must be at most ${String(params.limit)} characters` };
    case "pattern":
      return { path, message: `must match the pattern ${String(params.pattern)}` };
    case "format":
      return { path, message: `must be a valid ${String(params.format)}` };
    case "minItems":
      return { path, message: `must have at least ${String(params.limit)} items` };
    case "maxItems":
    case "additionalItems":
    case "items":
      return { path, message: `must have at most ${String(params.limit)} items` };
    case "unevaluatedItems":
      return { path, message: `must have at most ${String(params.len)} items` };
    case "uniqueItems":
      return { path, message: "must not contain duplicate items" };
    case "contains":
      return {
        path,
        message:
          typeof params.maxContains === "number"
            ? `must contain between ${String(params.minContains)} and ${params.maxContains} items matching the schema`
            : params.minContains === 1 || params.minContains === undefined
              ? "must contain an item matching the schema"
              : `must contain at least ${Number(params.minContains)} items matching the schema`,
      };
    case "minProperties":
      return { path, message: `must have at least ${String(params.limit)} properties` };
    case "maxProperties":
      return { path, message: `must have at most ${String(params.limit)} properties` };
    case "anyOf": {
      const why = inner();
      return {
        path,
        message: `must match at least one allowed schema${why ? ` (${why})` : ""}`,
      };
    }
    case "oneOf":
      return {
        path,
        message: Array.isArray(params.passingSchemas)
          ? "matches more than one allowed schema"
          : "must match one allowed schema",
      };
    case "not":
      return { path, message: "must not match the excluded schema" };
    case "if":
      return { path, message: `must match the "${String(params.failingKeyword)}" schema` };
    default:
      return { path, message: error.message ?? "does not meet the schema" };
  }
}

/**
 * Checks values against a chart's values.schema.json (its text, which is
 * also the cache key): the first violation, or why the schema is unusable.
 */
export function validateValues(schemaText: string, values: unknown): ValuesSchemaCheck {
  const compiled = cache.get(schemaText);
  if (!compiled.ok) return compiled;
  let valid: boolean;
  try {
    valid = compiled.validate(values);
  } catch (error) {
    // A self-referencing schema recurses as deep as the values nest.
    if (error instanceof RangeError) {
      return { ok: false, schemaProblem: "values.schema.json nests too deeply to check these values." };
    }
    throw error;
  }
  if (valid) return { ok: true };
  return { ok: false, violation: violationOf(compiled.validate.errors ?? [], values) };
}
