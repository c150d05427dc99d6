import { describe, expect, it } from "vitest";
import { formatPath, validateJsonSchema } from "./values-schema";

const messages = (schema: unknown, value: unknown) =>
  validateJsonSchema(schema, value).map((v) => `${formatPath(v.path)} ${v.message}`);

describe("validateJsonSchema", () => {
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

  it("accepts conforming values", () => {
    expect(messages(schema, { replicaCount: 2, image: { repository: "nginx" }, ports: [80, 443] })).toEqual(
      [],
    );
  });

  it("names the path and the rule of each violation", () => {
    expect(
      messages(schema, {
        replicaCount: "2",
        image: { repository: "", pullPolicy: "Never", tag: 1 },
        ports: [80, 80, 70000],
      }),
    ).toEqual([
      "replicaCount must be integer, got string",
      "image.repository must be at least 1 characters",
      'image.pullPolicy must be one of "Always", "IfNotPresent"',
      "image.tag is not an allowed property",
      "ports must not contain duplicate items",
      "ports[2] must be < 65536",
    ]);
  });

  it("reports missing required properties at their path", () => {
    expect(messages(schema, {})).toEqual(["image is required"]);
  });

  it("tells integers from other numbers", () => {
    expect(messages({ type: "integer" }, 1.5)).toEqual(["(root) must be integer, got number"]);
    expect(messages({ type: "number", multipleOf: 0.5 }, 1.5)).toEqual([]);
  });

  it("supports anyOf, oneOf, not, if/then/else and const", () => {
    expect(messages({ anyOf: [{ type: "string" }, { type: "integer" }] }, true)).toHaveLength(1);
    expect(messages({ oneOf: [{ minimum: 0 }, { maximum: 10 }] }, 5)).toEqual([
      "(root) matches more than one allowed schema",
    ]);
    expect(messages({ not: { type: "null" } }, null)).toHaveLength(1);
    const conditional = { if: { properties: { tls: { const: true } } }, then: { required: ["secret"] } };
    expect(messages(conditional, { tls: true })).toEqual(["secret is required"]);
    expect(messages(conditional, { tls: false })).toEqual([]);
  });

  it("supports 2020-12 prefixItems and $defs, and draft-04 boolean exclusivity", () => {
    const tuple = { prefixItems: [{ type: "string" }], items: false, $defs: {} };
    expect(messages(tuple, ["a", 1])).toEqual(["[1] is not allowed by the schema"]);
    expect(messages({ minimum: 5, exclusiveMinimum: true }, 5)).toEqual(["(root) must be > 5"]);
  });

  it("treats remote $refs as satisfied rather than fetching them", () => {
    expect(messages({ $ref: "https://example.com/schema.json" }, 1)).toEqual([]);
  });

  it("stops on recursive $refs", () => {
    expect(messages({ $ref: "#" }, 1)[0]).toContain("nests too deeply");
  });
});
