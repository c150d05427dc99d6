import { describe, expect, it } from "vitest";
import { docsAsset } from "./docs";

describe("docsAsset", () => {
  it("serves the listed Swagger UI files", async () => {
    const response = await docsAsset("swagger-ui.css");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/css/);
  });

  // Object.prototype's names were taken for listed assets and answered 500 (bad-input reliability scenario).
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "..", "package.json"])(
    "answers 404 for %j",
    async (name) => {
      expect((await docsAsset(name)).status).toBe(404);
    },
  );
});
