import { afterEach, describe, expect, it } from "vitest";
import { resetServerEnvCache, serverEnv, type ServerEnv } from "@/server/env";
import { assertLocalIssuerAllowed, LocalIssuerRefused, localIssuerOptionsFromEnv } from "./config";
import { startLocalIssuer } from "./server";
import { loginPage } from "./views";

const SWITCHES = ["NEMO_LOCAL_ISSUER", "NEMO_LOCAL_ISSUER_FORCE", "NEMO_DEMO_USERS", "NODE_ENV"] as const;
// Next's types make NODE_ENV read-only; these tests set it on purpose.
const vars = process.env as Record<string, string | undefined>;
const saved = Object.fromEntries(SWITCHES.map((name) => [name, vars[name]]));

/** serverEnv() as parsed from these variables (the others as the test run has them). */
function envWith(values: Partial<Record<(typeof SWITCHES)[number], string>>): ServerEnv {
  for (const name of SWITCHES) delete vars[name];
  Object.assign(vars, values);
  resetServerEnvCache();
  return serverEnv();
}

afterEach(() => {
  for (const name of SWITCHES) {
    if (saved[name] === undefined) delete vars[name];
    else vars[name] = saved[name];
  }
  resetServerEnvCache();
});

const client = {
  clientId: "nemo-console",
  clientSecret: "guard-test-secret",
  name: "NEMO Console",
  redirectUris: ["http://localhost:3999/api/auth/callback/keycloak"],
  postLogoutRedirectUris: [],
};

describe("the local issuer runs only when asked", () => {
  it("refuses to start without NEMO_LOCAL_ISSUER=1", async () => {
    envWith({ NODE_ENV: "test" });
    await expect(
      startLocalIssuer({ issuer: "http://127.0.0.1:0/realms/nemo", clients: [client] }),
    ).rejects.toThrow(/NEMO_LOCAL_ISSUER=1/);
  });

  it("refuses NODE_ENV=production unless forced", async () => {
    envWith({ NODE_ENV: "production", NEMO_LOCAL_ISSUER: "1" });
    await expect(
      startLocalIssuer({ issuer: "http://127.0.0.1:0/realms/nemo", clients: [client] }),
    ).rejects.toThrow(/refuses to run with NODE_ENV=production/);
    expect(() => localIssuerOptionsFromEnv(serverEnv())).toThrow(LocalIssuerRefused);

    const forced = envWith({ NODE_ENV: "production", NEMO_LOCAL_ISSUER: "1", NEMO_LOCAL_ISSUER_FORCE: "1" });
    expect(() => assertLocalIssuerAllowed(forced)).not.toThrow();
  });

  it("has no default client secret", () => {
    const env = envWith({ NODE_ENV: "test", NEMO_LOCAL_ISSUER: "1" });
    expect(() => localIssuerOptionsFromEnv({ ...env, KEYCLOAK_CLIENT_SECRET: undefined })).toThrow(
      /KEYCLOAK_CLIENT_SECRET is not set/,
    );
    expect(
      localIssuerOptionsFromEnv({ ...env, KEYCLOAK_CLIENT_SECRET: "s3cret" }).clients[0]?.clientSecret,
    ).toBe("s3cret");
  });
});

describe("demo users", () => {
  const page = (env: ServerEnv) =>
    loginPage({
      action: "/realms/nemo/login-actions/authenticate/x",
      realmDisplayName: "NEMO",
      showDemoUsers:
        localIssuerOptionsFromEnv({ ...env, KEYCLOAK_CLIENT_SECRET: "s" }).showDemoUsers ?? false,
    });

  it("are not listed on the login page unless NEMO_DEMO_USERS=1", () => {
    const hidden = page(envWith({ NODE_ENV: "test", NEMO_LOCAL_ISSUER: "1" }));
    expect(hidden).not.toContain("Demo accounts");
    expect(hidden).not.toContain("provider2");
    const shown = page(envWith({ NODE_ENV: "test", NEMO_LOCAL_ISSUER: "1", NEMO_DEMO_USERS: "1" }));
    expect(shown).toContain("Demo accounts");
  });
});
