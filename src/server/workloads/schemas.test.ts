import { describe, expect, it } from "vitest";
import { workloadIdSchema } from "./schemas";

describe("workloadIdSchema", () => {
  it("takes a number or its decimal digits", () => {
    expect(workloadIdSchema.parse(7)).toBe(7);
    expect(workloadIdSchema.parse("7")).toBe(7);
    expect(workloadIdSchema.parse(" 42 ")).toBe(42);
  });

  // z.coerce.number() read these as workloads 1, 7, 16, 10 and 0 (found by the bad-input reliability scenario).
  it.each([true, [7], "0x10", "1e1", "", null, "7abc", -3, 1.5, 2_147_483_648])(
    "refuses %j with the field's message",
    (value) => {
      const result = workloadIdSchema.safeParse(value);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/workload id/);
    },
  );
});
