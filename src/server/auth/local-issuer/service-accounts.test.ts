import { describe, expect, it } from "vitest";
import { parseServiceAccounts, serviceAccountSubject, serviceAccountUsername } from "./service-accounts";

const file = (clients: unknown) => JSON.stringify({ clients });

describe("service-accounts file", () => {
  it("reads clients with their realm roles", () => {
    expect(
      parseServiceAccounts(
        file([
          { clientId: "ci-deployer", clientSecret: "0123456789abcdef", realmRoles: ["service-provider"] },
        ]),
        "sa.json",
      ),
    ).toEqual([
      { clientId: "ci-deployer", clientSecret: "0123456789abcdef", realmRoles: ["service-provider"] },
    ]);
  });

  it("names the file and the field of a mistake", () => {
    expect(() => parseServiceAccounts("{", "sa.json")).toThrow(/^sa\.json: not JSON/);
    expect(() =>
      parseServiceAccounts(file([{ clientId: "x", clientSecret: "short", realmRoles: [] }]), "sa.json"),
    ).toThrow("sa.json: clients.0.clientSecret: at least 16 characters");
    expect(() =>
      parseServiceAccounts(
        file([{ clientId: "x", clientSecret: "0123456789abcdef", realmRoles: ["root"] }]),
        "sa.json",
      ),
    ).toThrow(/clients\.0\.realmRoles\.0: one of nemo-admin, infrastructure-provider, service-provider/);
    const twice = { clientId: "x", clientSecret: "0123456789abcdef", realmRoles: [] };
    expect(() => parseServiceAccounts(file([twice, twice]), "sa.json")).toThrow(/client ids must be unique/);
  });

  it("gives each client a stable UUID subject and Keycloak's service-account user name", () => {
    const subject = serviceAccountSubject("ci-deployer");
    expect(subject).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(serviceAccountSubject("ci-deployer")).toBe(subject);
    expect(serviceAccountSubject("reporting")).not.toBe(subject);
    expect(serviceAccountUsername("ci-deployer")).toBe("service-account-ci-deployer");
  });
});
