import { describe, expect, it } from "vitest";
import { redactPayload } from "./redact";

describe("redactPayload", () => {
  it("hides values under secret names, secret intent contexts and bearer strings, and keeps the rest", () => {
    const payload = {
      instanceId: "i-1",
      apiKey: "k1",
      nested: [{ client_secret: { value: "s1" } }],
      intent: {
        contexts: [
          { contextAttribute: "bearer_token", contextValueRange: "t1" },
          { contextAttribute: "Auth-Token", contextValueRange: "t2" },
          { contextAttribute: "region", contextValueRange: "eu-west" },
        ],
      },
      header: "Bearer abc.def",
      note: "bearer of good news",
    };
    const shown = redactPayload(payload);
    const text = JSON.stringify(shown);
    for (const secret of ["k1", "s1", "t1", "t2", "abc.def"]) expect(text).not.toContain(secret);
    expect(shown).toMatchObject({
      instanceId: "i-1",
      apiKey: "<redacted>",
      header: "<redacted>",
      note: "bearer of good news",
      intent: { contexts: [{}, {}, { contextAttribute: "region", contextValueRange: "eu-west" }] },
    });
  });

  it("leaves scalars and empty bodies alone", () => {
    expect(redactPayload(null)).toBeNull();
    expect(redactPayload(42)).toBe(42);
    expect(redactPayload([])).toEqual([]);
  });
});
