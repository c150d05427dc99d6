import { describe, expect, it } from "vitest";
import { ALL_ROLES, Role } from "@/common/roles";
import { DomainError } from "./errors";
import { requireAnyRole, roleGuard } from "./role-guards";

describe("role guards", () => {
  const admin = { roles: [Role.NEMO_ADMIN] };
  const provider = { roles: [Role.SERVICE_PROVIDER] };
  const nobody = { roles: [] };

  it("lets a user holding one of the roles through", () => {
    expect(() => requireAnyRole(provider, ALL_ROLES, "no")).not.toThrow();
    expect(() =>
      requireAnyRole({ roles: [Role.SERVICE_PROVIDER, Role.NEMO_ADMIN] }, [Role.NEMO_ADMIN], "no"),
    ).not.toThrow();
  });

  it("refuses anyone else as forbidden, with the module's message", () => {
    const requireAdmin = roleGuard([Role.NEMO_ADMIN], "Only a NEMO admin can change regions.");
    expect(() => requireAdmin(admin)).not.toThrow();
    for (const user of [provider, nobody]) {
      let thrown: unknown;
      try {
        requireAdmin(user);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ kind: "forbidden", message: "Only a NEMO admin can change regions." });
    }
  });

  it("refuses a user with no role even when every role is allowed", () => {
    expect(() => requireAnyRole(nobody, ALL_ROLES, "Shown to the console's roles only.")).toThrow(
      "Shown to the console's roles only.",
    );
  });
});
