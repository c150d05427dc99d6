import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi";

type Operation = { responses: Record<string, { headers?: Record<string, unknown> }> };

describe("OpenAPI: what the edge answers", () => {
  it("lists 429 and 503 with Retry-After on every operation, and 413 on every one with a body", () => {
    const paths = openApiDocument().paths as Record<string, Record<string, Operation>>;
    const operations = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(20);
    for (const { path, method, operation } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(operation.responses["429"]?.headers, where).toHaveProperty("Retry-After");
      expect(operation.responses["503"]?.headers, where).toHaveProperty("Retry-After");
      if (["post", "put", "patch"].includes(method)) expect(operation.responses, where).toHaveProperty("413");
    }
  });
});
