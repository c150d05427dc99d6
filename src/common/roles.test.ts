import { describe, expect, it } from "vitest";
import {
  describeRoles,
  hasAnyRole,
  hasRole,
  Role,
  rolesFromClaimSources,
  rolesFromClaims,
  rolesFromRealmRoles,
} from "./roles";

const token = (roles: unknown) => ({ sub: "s", realm_access: { roles } });

describe("role mapping from Keycloak claims", () => {
  it("maps each NEMO realm role to its Role", () => {
    expect(rolesFromClaims(token(["nemo-admin"]))).toEqual([Role.NEMO_ADMIN]);
    expect(rolesFromClaims(token(["infrastructure-provider"]))).toEqual([Role.INFRASTRUCTURE_PROVIDER]);
    expect(rolesFromClaims(token(["service-provider"]))).toEqual([Role.SERVICE_PROVIDER]);
  });

  it("drops Keycloak's own and unknown roles", () => {
    expect(
      rolesFromClaims(token(["offline_access", "uma_authorization", "default-roles-nemo", "NEMO-ADMIN"])),
    ).toEqual([]);
    expect(rolesFromClaims(token(["service-provider", "superuser"]))).toEqual([Role.SERVICE_PROVIDER]);
  });

  it("merges duplicates and keeps a stable order", () => {
    expect(rolesFromClaims(token(["service-provider", "nemo-admin", "service-provider"]))).toEqual([
      Role.NEMO_ADMIN,
      Role.SERVICE_PROVIDER,
    ]);
  });

  it("ignores entries that are not strings", () => {
    expect(rolesFromRealmRoles([42, null, { name: "nemo-admin" }, "nemo-admin"])).toEqual([Role.NEMO_ADMIN]);
  });

  it("tells a missing claim (undefined) from a claim without NEMO roles ([])", () => {
    expect(rolesFromClaims({ sub: "s" })).toBeUndefined();
    expect(rolesFromClaims({ sub: "s", realm_access: {} })).toBeUndefined();
    expect(rolesFromClaims({ sub: "s", realm_access: { roles: "nemo-admin" } })).toBeUndefined();
    expect(rolesFromClaims(undefined)).toBeUndefined();
    expect(rolesFromClaims("not an object")).toBeUndefined();
    expect(rolesFromClaims(token([]))).toEqual([]);
  });

  it("takes roles from the first source that carries realm_access (access token before ID token)", () => {
    const accessToken = token(["infrastructure-provider"]);
    const idToken = token(["nemo-admin"]);
    expect(rolesFromClaimSources(accessToken, idToken)).toEqual([Role.INFRASTRUCTURE_PROVIDER]);
    expect(rolesFromClaimSources({ sub: "s" }, idToken)).toEqual([Role.NEMO_ADMIN]);
    expect(rolesFromClaimSources(token([]), idToken)).toEqual([]);
    expect(rolesFromClaimSources(undefined, { sub: "s" })).toEqual([]);
  });
});

describe("role helpers", () => {
  it("checks one role and any of several", () => {
    expect(hasRole([Role.SERVICE_PROVIDER], Role.SERVICE_PROVIDER)).toBe(true);
    expect(hasRole([Role.SERVICE_PROVIDER], Role.NEMO_ADMIN)).toBe(false);
    expect(hasAnyRole([Role.INFRASTRUCTURE_PROVIDER], [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER])).toBe(false);
    expect(hasAnyRole([Role.NEMO_ADMIN], [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER])).toBe(true);
    expect(hasAnyRole([], [Role.NEMO_ADMIN])).toBe(false);
  });

  it("names needed roles the way Keycloak admins know them", () => {
    expect(describeRoles([Role.NEMO_ADMIN])).toBe("nemo-admin");
    expect(describeRoles([Role.NEMO_ADMIN, Role.SERVICE_PROVIDER])).toBe("nemo-admin or service-provider");
    expect(describeRoles([Role.NEMO_ADMIN, Role.INFRASTRUCTURE_PROVIDER, Role.SERVICE_PROVIDER])).toBe(
      "nemo-admin, infrastructure-provider or service-provider",
    );
  });
});
