import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import { getMe } from "@/server/api/v1/me";
import { createWorkloadRest, getWorkloadRest, listWorkloadsRest } from "@/server/api/v1/workload";
import { createDb, type Db } from "@/server/db/client";
import { makeUser, makeWorkload, uniq } from "@/server/testing/factories";
import { startConsoleIssuer, type ConsoleIssuer } from "@/server/testing/local-issuer";
import { serviceAccountSubject } from "./service-accounts";

/*
 * The README's "REST access for scripts" recipe, as HTTP calls: a service
 * account's client id and secret buy an access token at the realm's token
 * endpoint (client-credentials grant, HTTP Basic client authentication, as
 * `curl -u id:secret -d grant_type=client_credentials …` sends), and the token
 * calls /api/v1 as that service account: its own user, its own tenant, its
 * realm roles.
 */

const BASE = "http://localhost:3999";
const botId = uniq("ci-deployer");
const otherBotId = uniq("reporting");
const infraBotId = uniq("infra-bot");
const secret = (id: string) => `${id}-secret-of-at-least-16`;

let issuer: ConsoleIssuer;
let db: Db;

interface TokenAnswer {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

/** `curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$ISSUER/protocol/openid-connect/token"` */
async function requestToken(
  clientId: string,
  clientSecret: string,
): Promise<{ status: number; body: TokenAnswer }> {
  const response = await fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  return { status: response.status, body: (await response.json()) as TokenAnswer };
}

async function tokenFor(clientId: string): Promise<string> {
  const { status, body } = await requestToken(clientId, secret(clientId));
  expect(status).toBe(200);
  if (!body.access_token) throw new Error(`no access token for ${clientId}`);
  return body.access_token;
}

const bearer = (token: string, path: string, init: RequestInit = {}) =>
  new Request(`${BASE}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  });

beforeAll(async () => {
  issuer = await startConsoleIssuer({
    clientSecret: "cc-test-console-secret",
    serviceAccounts: [
      { clientId: botId, clientSecret: secret(botId), realmRoles: ["service-provider"] },
      { clientId: otherBotId, clientSecret: secret(otherBotId), realmRoles: ["service-provider"] },
      { clientId: infraBotId, clientSecret: secret(infraBotId), realmRoles: ["infrastructure-provider"] },
    ],
  });
  db = createDb(process.env.DATABASE_URL);
});

afterAll(async () => {
  await issuer.close();
  await db.$disconnect();
});

describe("client-credentials grant for service accounts", () => {
  it("issues a JWT access token shaped like a Keycloak service account's", async () => {
    const { status, body } = await requestToken(botId, secret(botId));
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: expect.any(Number) as unknown });
    const token = body.access_token ?? "";
    expect(decodeProtectedHeader(token).typ).toBe("at+jwt");
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: issuer.issuer,
      // The console API's audience, as a Keycloak audience mapper on the automation client sets.
      aud: "nemo-console",
      azp: botId,
      client_id: botId,
      sub: serviceAccountSubject(botId),
      preferred_username: `service-account-${botId}`,
      realm_access: { roles: expect.arrayContaining(["service-provider"]) as unknown },
    });
    expect((claims.realm_access as { roles: string[] }).roles).not.toContain("nemo-admin");
  });

  it("refuses a wrong secret and an unknown client with 401 invalid_client", async () => {
    const wrong = await requestToken(botId, "not-the-secret-at-all");
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe("invalid_client");
    expect(wrong.body.access_token).toBeUndefined();
    const unknown = await requestToken(uniq("nobody"), "whatever-secret-123456");
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe("invalid_client");
  });

  it("does not give the console's own client a token without a user", async () => {
    const { status, body } = await requestToken("nemo-console", "cc-test-console-secret");
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: "invalid_request",
      error_description: "requested grant type is not allowed for this client",
    });
    expect(body.access_token).toBeUndefined();
  });

  it("calls the API as the service account: its own user with its realm roles", async () => {
    const response = await getMe(bearer(await tokenFor(botId), "/api/v1/me/"));
    expect(response.status).toBe(200);
    const me = (await response.json()) as { id: string; username: string; roles: Role[] };
    expect(me).toMatchObject({ username: `service-account-${botId}`, roles: [Role.SERVICE_PROVIDER] });
    const row = await db.user.findUniqueOrThrow({ where: { id: me.id } });
    expect(row.subject).toBe(serviceAccountSubject(botId));
    expect(row.roles).toEqual([Role.SERVICE_PROVIDER]);
  });

  it("sees its own tenant's data only, like a signed-in service provider", async () => {
    const person = await makeUser(db, [Role.SERVICE_PROVIDER]);
    const theirs = await makeWorkload(db, person);
    const token = await tokenFor(botId);
    const name = uniq("bot-wl");

    const created = await createWorkloadRest(
      bearer(token, "/api/v1/workload/", {
        method: "POST",
        body: JSON.stringify({ name, version: "1.0.0", supportedIntents: ["Availability"] }),
      }),
    );
    expect(created.status).toBe(201);
    const mine = (await created.json()) as { id: number };

    const list = await listWorkloadsRest(bearer(token, "/api/v1/workload/"));
    expect(list.status).toBe(200);
    const page = (await list.json()) as { total: number; items: { id: number; name: string }[] };
    expect(page.items.map((w) => w.id)).toContain(mine.id);
    expect(page.items.map((w) => w.id)).not.toContain(theirs.id);

    const other = await getWorkloadRest(bearer(token, `/api/v1/workload/${theirs.id}/`), {
      params: Promise.resolve({ id: String(theirs.id) }),
    });
    expect(other.status).toBe(404);

    // A second automation is a tenant of its own: it does not see the first one's workload.
    const otherToken = await tokenFor(otherBotId);
    const fromOther = await getWorkloadRest(bearer(otherToken, `/api/v1/workload/${mine.id}/`), {
      params: Promise.resolve({ id: String(mine.id) }),
    });
    expect(fromOther.status).toBe(404);
  });

  it("is refused what its roles do not allow (403 naming the role)", async () => {
    const response = await listWorkloadsRest(bearer(await tokenFor(infraBotId), "/api/v1/workload/"));
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toBe("forbidden");
  });
});
