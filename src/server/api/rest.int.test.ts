import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { restHandler } from "@/server/api/rest";
import { getMe } from "@/server/api/v1/me";
import { Role } from "@/common/roles";
import { startConsoleIssuer, type ConsoleIssuer } from "@/server/testing/local-issuer";
import { createDb, type Db } from "@/server/db/client";
import { makeUser } from "@/server/testing/factories";
import { sessionCookie } from "@/server/testing/session-cookie";

let issuer: ConsoleIssuer;
let db: Db;

async function accessTokenFor(username: string): Promise<{ access: string; id: string }> {
  const tokens = await issuer.login(username);
  return { access: tokens.access_token, id: tokens.id_token };
}

const request = (headers: Record<string, string> = {}, path = "/api/v1/me/") =>
  new Request(`http://localhost:3999${path}`, { headers });

beforeAll(async () => {
  issuer = await startConsoleIssuer({ clientSecret: "rest-test-secret" });
  db = createDb(process.env.DATABASE_URL);
});

afterAll(async () => {
  await issuer.close();
  await db.$disconnect();
});

describe("GET /api/v1/me/", () => {
  it("answers 401 JSON without a session or token", async () => {
    const response = await getMe(request());
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: "unauthorized",
      message: expect.any(String) as unknown,
    });
  });

  it("knows the caller from a bearer access token, and records the user", async () => {
    const { access } = await accessTokenFor("provider");
    const response = await getMe(request({ authorization: `Bearer ${access}` }));
    expect(response.status).toBe(200);
    const me = (await response.json()) as { id: string; username: string };
    expect(me).toMatchObject({
      username: "provider",
      displayName: "Sam Provider",
      roles: [Role.SERVICE_PROVIDER],
      realmRoles: ["service-provider"],
    });
    const row = await db.user.findUniqueOrThrow({ where: { id: me.id } });
    expect(row.roles).toEqual([Role.SERVICE_PROVIDER]);
  });

  it("refuses an ID token, a tampered token and garbage as bearer tokens", async () => {
    const { access, id } = await accessTokenFor("admin");
    const [header, payload] = access.split(".");
    const tampered = `${header}.${payload}.${"A".repeat(342)}`;
    for (const token of [id, tampered, "not-a-jwt"]) {
      const response = await getMe(request({ authorization: `Bearer ${token}` }));
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toBe("unauthorized");
    }
  });

  it("knows the caller from the console's session cookie", async () => {
    const user = await makeUser(db, [Role.NEMO_ADMIN]);
    const cookie = await sessionCookie(user);
    const response = await getMe(request({ cookie: `other=1; next-auth.session-token=${cookie}` }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: user.id, roles: [Role.NEMO_ADMIN] });
  });
});

describe("restHandler rules", () => {
  const adminsOnly = restHandler(
    { roles: [Role.NEMO_ADMIN], query: z.object({ limit: z.coerce.number().int().max(5) }) },
    async ({ query }) => ({ limit: query.limit }),
  );

  it("answers 403 JSON naming the needed role", async () => {
    const { access } = await accessTokenFor("infra");
    const response = await adminsOnly(request({ authorization: `Bearer ${access}` }, "/api/v1/x?limit=1"));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: "forbidden", message: "This needs the nemo-admin role." });
  });

  it("answers 400 JSON naming the bad field", async () => {
    const { access } = await accessTokenFor("admin");
    const auth = { authorization: `Bearer ${access}` };
    const bad = await adminsOnly(request(auth, "/api/v1/x?limit=9"));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: "bad_request",
      field: "limit",
      message: expect.any(String) as unknown,
    });
    const good = await adminsOnly(request(auth, "/api/v1/x?limit=3"));
    expect(await good.json()).toEqual({ limit: 3 });
  });
});

describe("bodies of a type the route does not read (issue 13, bug 7)", () => {
  const echo = restHandler(
    { roles: [Role.NEMO_ADMIN], body: z.object({ name: z.string() }) },
    async ({ body }) => ({ name: body.name }),
  );
  const post = (headers: Record<string, string>, body: string) =>
    echo(
      new Request("http://localhost:3999/api/v1/x/", {
        method: "POST",
        headers: { "content-length": String(Buffer.byteLength(body)), ...headers },
        body,
      }),
    );

  it("answers 415 JSON to a bearer call sending JSON as text/plain, and reads JSON types", async () => {
    const { access } = await accessTokenFor("admin");
    const auth = { authorization: `Bearer ${access}` };
    const json = JSON.stringify({ name: "a" });
    const plain = await post({ ...auth, "content-type": "text/plain;charset=UTF-8" }, json);
    expect(plain.status).toBe(415);
    expect(await plain.json()).toEqual({
      error: "unsupported_media_type",
      message: "This route reads application/json bodies, not text/plain: set the Content-Type header.",
    });
    const form = await post({ ...auth, "content-type": "application/x-www-form-urlencoded" }, "name=a");
    expect(form.status).toBe(415);
    for (const type of [
      "application/json",
      "application/json; charset=utf-8",
      "application/merge-patch+json",
    ]) {
      const ok = await post({ ...auth, "content-type": type }, json);
      expect(ok.status, type).toBe(200);
      expect(await ok.json()).toEqual({ name: "a" });
    }
  });
});

describe("unknown /api/v1 paths (issue 13, bug 7)", () => {
  it("answer 404 JSON naming the method and path, for every method, signed in or not", async () => {
    const route = (await import("@/app/api/v1/[...rest]/route")) as Record<
      string,
      ((request: Request) => Promise<Response>) | undefined
    >;
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      const handler = route[method];
      expect(handler, method).toBeTypeOf("function");
      const response = await handler!(new Request("http://localhost:3999/api/v1/no/such/thing/", { method }));
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(await response.json()).toEqual({
        error: "not_found",
        message: `No API route ${method} /api/v1/no/such/thing/. The routes are listed at /api/v1/docs.`,
      });
    }
  });
});
