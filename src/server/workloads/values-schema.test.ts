import { afterEach, describe, expect, it, vi } from "vitest";
import {
  cachedSchemaCount,
  formatPath,
  validateValues,
  VALUES_SCHEMA_CACHE_MAX_ENTRIES,
  VALUES_SCHEMA_LIMITS,
} from "./values-schema";

/** "path problem" for a violation, "schema: problem" when the schema itself is refused, [] when valid. */
const messages = (schema: unknown, value: unknown): string[] => {
  const check = validateValues(JSON.stringify(schema), value);
  if (check.ok) return [];
  if ("schemaProblem" in check) return [`schema: ${check.schemaProblem}`];
  return [`${formatPath(check.violation.path)} ${check.violation.message}`];
};

const DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema";

describe("validateValues", () => {
  const schema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    required: ["image"],
    properties: {
      replicaCount: { type: "integer", minimum: 1, maximum: 10 },
      image: {
        type: "object",
        required: ["repository"],
        properties: {
          repository: { type: "string", minLength: 1 },
          pullPolicy: { enum: ["Always", "IfNotPresent"] },
        },
        additionalProperties: false,
      },
      ports: { type: "array", items: { $ref: "#/definitions/port" }, uniqueItems: true },
    },
    definitions: { port: { type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 65536 } },
  };
  const good = { replicaCount: 2, image: { repository: "nginx" }, ports: [80, 443] };

  it("accepts conforming values", () => {
    expect(messages(schema, good)).toEqual([]);
  });

  it.each([
    [{ replicaCount: "2" }, "replicaCount must be integer, got string"],
    [{ replicaCount: 11 }, "replicaCount must be <= 10"],
    [{ image: { repository: "" } }, "image.repository must be at least 1 characters"],
    [
      { image: { repository: "x", pullPolicy: "Never" } },
      'image.pullPolicy must be one of "Always", "IfNotPresent"',
    ],
    [{ image: { repository: "x", tag: 1 } }, "image.tag is not an allowed property"],
    [{ ports: [80, 80] }, "ports must not contain duplicate items"],
    [{ ports: [80, 70000] }, "ports[1] must be < 65536"],
  ])("names the path and the rule of the violation (%j)", (change, message) => {
    expect(messages(schema, { ...good, ...change })).toEqual([message]);
  });

  it("stops at the first violation, so bad values cannot pile up errors", () => {
    const many = { ...good, replicaCount: "2", image: { repository: "", tag: 1 }, ports: [80, 80] };
    expect(messages(schema, many)).toEqual(["replicaCount must be integer, got string"]);
  });

  it("reports missing required properties at their path", () => {
    expect(messages(schema, {})).toEqual(["image is required"]);
  });

  it("tells integers from other numbers", () => {
    expect(messages({ type: "integer" }, 1.5)).toEqual(["(root) must be integer, got number"]);
    expect(messages({ type: "number", multipleOf: 0.5 }, 1.5)).toEqual([]);
    expect(messages({ type: ["string", "null"] }, 1)).toEqual(["(root) must be string or null, got integer"]);
  });

  it("supports anyOf, oneOf, not, if/then/else, const and propertyNames", () => {
    expect(messages({ anyOf: [{ type: "string" }, { type: "integer" }] }, true)).toEqual([
      "(root) must match at least one allowed schema (must be string, got boolean)",
    ]);
    expect(messages({ oneOf: [{ minimum: 0 }, { maximum: 10 }] }, 5)).toEqual([
      "(root) matches more than one allowed schema",
    ]);
    expect(messages({ not: { type: "null" } }, null)).toEqual(["(root) must not match the excluded schema"]);
    const conditional = { if: { properties: { tls: { const: true } } }, then: { required: ["secret"] } };
    expect(messages(conditional, { tls: true })).toEqual(["secret is required"]);
    expect(messages(conditional, { tls: false })).toEqual([]);
    expect(messages({ properties: { mode: { const: "fast" } } }, { mode: "slow" })).toEqual([
      'mode must be "fast"',
    ]);
    expect(messages({ propertyNames: { pattern: "^[a-z]+$" } }, { Bad: 1 })).toEqual([
      "Bad has an invalid name: must match the pattern ^[a-z]+$",
    ]);
  });

  it("checks formats", () => {
    expect(messages({ properties: { admin: { format: "email" } } }, { admin: "nobody" })).toEqual([
      "admin must be a valid email",
    ]);
    expect(messages({ format: "date-time" }, "2024-02-30T10:00:00Z")).toEqual([
      "(root) must be a valid date-time",
    ]);
    expect(messages({ format: "a-format-nobody-defined" }, "x")).toEqual([]);
  });

  it("reads a schema as draft-07 unless it declares 2020-12 or 2019-09", () => {
    const tuple = { prefixItems: [{ type: "string" }], items: false, $defs: {} };
    // Draft-07 knows no prefixItems: items: false refuses every item.
    expect(messages(tuple, ["a"])).toEqual(["[0] is not allowed by the schema"]);
    expect(messages({ ...tuple, $schema: DRAFT_2020 }, ["a"])).toEqual([]);
    expect(messages({ ...tuple, $schema: DRAFT_2020 }, ["a", 1])).toEqual([
      "(root) must have at most 1 items",
    ]);
    const dependent = { dependentRequired: { tls: ["secret"] } };
    expect(messages(dependent, { tls: true })).toEqual([]);
    expect(
      messages({ ...dependent, $schema: "https://json-schema.org/draft/2019-09/schema" }, { tls: true }),
    ).toEqual(["secret is required when tls is set"]);
  });

  it("reports a schema that is not valid for its dialect, naming the keyword", () => {
    // Draft-04's boolean exclusiveMinimum is not draft-07.
    expect(messages({ minimum: 5, exclusiveMinimum: true }, 5)).toEqual([
      "schema: values.schema.json is not a valid draft-07 JSON Schema: /exclusiveMinimum must be number.",
    ]);
    expect(messages({ $schema: DRAFT_2020, type: "strin" }, 5)[0]).toContain(
      "is not a valid 2020-12 JSON Schema: /type",
    );
    expect(messages({ pattern: "(" }, "a")[0]).toContain("schema: values.schema.json has an invalid pattern");
  });

  describe("as hostile input", () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it("reports a remote $ref as a problem instead of fetching it", () => {
      const fetch = vi.spyOn(globalThis, "fetch");
      expect(messages({ $ref: "https://example.com/schema.json" }, 1)).toEqual([
        'schema: values.schema.json refers to "https://example.com/schema.json", outside the chart: remote schemas are not fetched; copy what it needs under "definitions" (or "$defs") and refer to that.',
      ]);
      expect(
        messages({ properties: { a: { $ref: "http://example.com/defs.json#/port" } } }, { a: 1 })[0],
      ).toContain('refers to "http://example.com/defs.json"');
      expect(fetch).not.toHaveBeenCalled();
    });

    it("resolves a $ref to an $id inside the schema without fetching", () => {
      const fetch = vi.spyOn(globalThis, "fetch");
      const withId = {
        $id: "https://charts.example/shop/values.schema.json",
        definitions: { port: { $id: "port.json", type: "integer" } },
        properties: { port: { $ref: "port.json" } },
      };
      expect(messages(withId, { port: "80" })).toEqual(["port must be integer, got string"]);
      expect(fetch).not.toHaveBeenCalled();
    });

    it("keeps each schema's $ids to itself", () => {
      const id = "https://charts.example/values.schema.json";
      expect(messages({ $id: id, type: "string" }, 1)).toEqual(["(root) must be string, got integer"]);
      expect(messages({ $id: id, type: "integer" }, 1)).toEqual([]);
    });

    it("stops on recursive $refs", () => {
      expect(messages({ $ref: "#" }, 1)[0]).toContain("nests too deeply");
    });

    it("does not evaluate $data references", () => {
      const relative = { properties: { max: { type: "integer" }, min: { maximum: { $data: "1/max" } } } };
      expect(messages(relative, { max: 1, min: 5 })[0]).toContain("is not a valid draft-07 JSON Schema");
    });

    it("refuses $async schemas, which would validate through a promise", () => {
      expect(messages({ $async: true, type: "string" }, 1)).toEqual([
        "schema: values.schema.json uses $async, which Helm does not support.",
      ]);
    });

    it("refuses schemas too large, too deep or too broad to compile safely", () => {
      const limits = VALUES_SCHEMA_LIMITS;
      const large = { description: "x".repeat(limits.maxBytes) };
      expect(messages(large, {})[0]).toContain("is larger than 1024 KiB");

      let deep: object = { type: "string" };
      for (let i = 0; i < limits.maxDepth; i++) deep = { properties: { a: deep } };
      expect(messages(deep, {})[0]).toContain(`nests more than ${limits.maxDepth} levels deep`);

      const broad = Object.fromEntries(
        Array.from({ length: limits.maxMembers + 1 }, (_, i) => [`p${i}`, { type: "string" }]),
      );
      expect(messages({ properties: broad }, {})[0]).toContain(`more than ${limits.maxMembers} members`);

      const many = Array.from({ length: 10 }, () =>
        Object.fromEntries(Array.from({ length: limits.maxNodes / 10 }, (_, i) => [`p${i}`, {}])),
      );
      expect(messages({ allOf: many.map((properties) => ({ properties })) }, {})[0]).toContain(
        `more than ${limits.maxNodes} objects and arrays`,
      );
    });
  });

  it("compiles a schema text once and keeps a bounded number of them", () => {
    const text = JSON.stringify({ title: "cache probe", type: "string" });
    const before = cachedSchemaCount();
    validateValues(text, "a");
    validateValues(text, 1);
    expect(cachedSchemaCount()).toBe(Math.min(before + 1, VALUES_SCHEMA_CACHE_MAX_ENTRIES));
    for (let i = 0; i <= VALUES_SCHEMA_CACHE_MAX_ENTRIES; i++) {
      validateValues(JSON.stringify({ title: `filler ${i}` }), {});
    }
    expect(cachedSchemaCount()).toBe(VALUES_SCHEMA_CACHE_MAX_ENTRIES);
  });
});
