import { describe, expect, it } from "vitest";
import { AREAS, areaAccess, areaForPath, canUseArea, homeAreas, navAreas, type AreaKey } from "./areas";
import { Role } from "./roles";

const access = (roles: Role[]) => Object.fromEntries(AREAS.map((a) => [a.key, areaAccess(roles, a.key)]));

describe("area access per role", () => {
  it("gives an admin every area in full", () => {
    expect(access([Role.NEMO_ADMIN])).toEqual({
      workloads: "manage",
      instances: "manage",
      intents: "manage",
      clusters: "manage",
      orchestration: "manage",
      accounting: "manage",
      "failed-messages": "manage",
    });
  });

  it("gives a service provider every area, clusters and orchestration read-only", () => {
    expect(access([Role.SERVICE_PROVIDER])).toEqual({
      workloads: "manage",
      instances: "manage",
      intents: "manage",
      clusters: "read",
      orchestration: "read",
      accounting: "manage",
      "failed-messages": "none",
    });
  });

  it("gives an infrastructure provider Resource Provisioning, and Orchestration read-only", () => {
    expect(access([Role.INFRASTRUCTURE_PROVIDER])).toEqual({
      workloads: "none",
      instances: "none",
      intents: "none",
      clusters: "manage",
      orchestration: "read",
      accounting: "manage",
      "failed-messages": "none",
    });
  });

  it("shows the admins' failed-messages tool only to admins, every other area to everyone (locked or not)", () => {
    const keys = (roles: Role[]) => homeAreas(roles).map((a) => a.key);
    expect(keys([Role.NEMO_ADMIN])).toContain("failed-messages");
    for (const roles of [[Role.SERVICE_PROVIDER], [Role.INFRASTRUCTURE_PROVIDER], []]) {
      expect(keys(roles)).not.toContain("failed-messages");
      expect(keys(roles)).toHaveLength(AREAS.length - 1);
    }
  });

  it("gives a user without a NEMO role nothing", () => {
    for (const area of AREAS) expect(canUseArea([], area.key)).toBe(false);
  });

  it("lets the strongest of several roles win", () => {
    expect(areaAccess([Role.SERVICE_PROVIDER, Role.INFRASTRUCTURE_PROVIDER], "clusters")).toBe("manage");
    expect(canUseArea([Role.INFRASTRUCTURE_PROVIDER, Role.SERVICE_PROVIDER], "workloads")).toBe(true);
  });

  it("links each area to its page", () => {
    const hrefs = Object.fromEntries(AREAS.map((a) => [a.key, a.href])) as Record<AreaKey, string>;
    expect(hrefs).toEqual({
      workloads: "/workloads",
      instances: "/instances",
      intents: "/intents",
      clusters: "/clusters",
      orchestration: "/orchestration",
      accounting: "/accounting",
      "failed-messages": "/failed-messages",
    });
  });
});

describe("side navigation", () => {
  const keys = (roles: Role[]) => navAreas(roles).map((a) => a.key);

  it("lists only the areas the roles may use, in home-tile order", () => {
    expect(keys([Role.NEMO_ADMIN])).toEqual(AREAS.map((a) => a.key));
    expect(keys([Role.SERVICE_PROVIDER])).toEqual([
      "workloads",
      "instances",
      "intents",
      "clusters",
      "orchestration",
      "accounting",
    ]);
    expect(keys([Role.INFRASTRUCTURE_PROVIDER])).toEqual(["clusters", "orchestration", "accounting"]);
    expect(keys([])).toEqual([]);
    for (const roles of [[Role.SERVICE_PROVIDER], [Role.INFRASTRUCTURE_PROVIDER]]) {
      for (const area of navAreas(roles)) expect(canUseArea(roles, area.key)).toBe(true);
    }
  });

  it("knows the area of a page's path, sub-pages included", () => {
    expect(areaForPath("/instances")).toBe("instances");
    expect(areaForPath("/instances/42")).toBe("instances");
    expect(areaForPath("/failed-messages")).toBe("failed-messages");
    expect(areaForPath("/")).toBeUndefined();
    expect(areaForPath("/api-access")).toBeUndefined();
    expect(areaForPath("/instancesX")).toBeUndefined();
  });
});
