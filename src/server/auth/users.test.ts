import { describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import { identityFromClaims } from "./users";

describe("identity from token claims", () => {
  it("reads Keycloak's standard claims", () => {
    expect(
      identityFromClaims(
        { sub: "abc", preferred_username: "sam", name: "Sam Provider", email: "sam@example.org" },
        [Role.SERVICE_PROVIDER],
      ),
    ).toEqual({
      subject: "abc",
      username: "sam",
      displayName: "Sam Provider",
      email: "sam@example.org",
      roles: [Role.SERVICE_PROVIDER],
    });
  });

  it("falls back to given + family name, then to the username", () => {
    expect(
      identityFromClaims({ sub: "a", preferred_username: "u", given_name: "Ada", family_name: "L" }, [])
        .displayName,
    ).toBe("Ada L");
    expect(identityFromClaims({ sub: "a", preferred_username: "u" }, []).displayName).toBe("u");
    expect(identityFromClaims({ sub: "a" }, []).username).toBe("a");
  });

  it("refuses claims without a subject", () => {
    expect(() => identityFromClaims({ preferred_username: "u" }, [])).toThrow(/subject/);
  });
});
