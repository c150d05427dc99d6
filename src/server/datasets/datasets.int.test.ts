import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "@/common/roles";
import { createCaller } from "@/server/api/root";
import {
  deleteDatasetRest,
  downloadDatasetRest,
  getDatasetRest,
  listDatasetsRest,
  uploadDatasetRest,
} from "@/server/api/v1/dataset";
import type { SessionUser } from "@/server/auth/session";
import { createDb, type Db } from "@/server/db/client";
import { resetServerEnvCache } from "@/server/env";
import { contextFor, makeUser } from "@/server/testing/factories";
import { sessionCookie } from "@/server/testing/session-cookie";
import {
  createDataset,
  DATASET_REWARD_UNITS,
  LocalDirectoryStore,
  ObjectStoreError,
  type ObjectStore,
  type ReceivedUpload,
} from "./index";
import { receiveDatasetUpload } from "./receive";

/*
 * Datasets on the run's database, through the REST handlers (streamed
 * multipart) and the domain: the reward is paid once per distinct file and
 * provider, the size limit answers 413 while streaming (nothing left on disk),
 * the count limit 400, a failed store records and credits nothing, and another
 * tenant's dataset is 404 everywhere.
 */

const MAX_BYTES = 4096;
const MAX_PER_USER = 3;
let dir: string;
let db: Db;
let owner: SessionUser;
let other: SessionUser;
let admin: SessionUser;
let nobody: SessionUser;
const cookies = new Map<string, string>();
const BASE = "http://localhost:3999";
type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;

function headersFor(user: SessionUser | null): Headers {
  const headers = new Headers({ origin: BASE });
  if (user) headers.set("cookie", cookies.get(user.id) ?? "");
  return headers;
}

function call(handler: Handler, user: SessionUser | null, method: string, pathname: string, id?: string) {
  return handler(new Request(`${BASE}${pathname}`, { method, headers: headersFor(user) }), {
    params: Promise.resolve<Record<string, string>>(id ? { id } : {}),
  });
}

function form(
  bytes: Uint8Array,
  fields: Record<string, string> = { type: "csv", description: "d", metadata: "m" },
) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  body.set("file", new File([bytes as BlobPart], "readings.csv", { type: "text/csv" }));
  return body;
}

function upload(user: SessionUser | null, body: FormData) {
  return uploadDatasetRest(
    new Request(`${BASE}/api/v1/dataset/upload/`, { method: "POST", headers: headersFor(user), body }),
  );
}

const bytesOf = (text: string) => new TextEncoder().encode(text);
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function balance(user: SessionUser): Promise<bigint> {
  const account = await db.ledgerAccount.findUnique({ where: { id: `user:${user.id}` } });
  return account?.balance ?? 0n;
}

async function clearDatasets(user: SessionUser) {
  await db.dataset.deleteMany({ where: { ownerId: user.id } });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nemo-datasets-"));
  process.env.DATASET_DIR = dir;
  process.env.DATASET_MAX_BYTES = String(MAX_BYTES);
  process.env.DATASET_MAX_PER_USER = String(MAX_PER_USER);
  resetServerEnvCache();
  db = createDb(process.env.DATABASE_URL);
  [owner, other, admin, nobody] = await Promise.all([
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.SERVICE_PROVIDER]),
    makeUser(db, [Role.NEMO_ADMIN]),
    makeUser(db, []),
  ]);
  for (const user of [owner, other, admin, nobody]) {
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  }
});

afterAll(async () => {
  await db.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe("dataset upload (REST, streamed)", () => {
  it("stores the file with its sha256 and size, rewards 10 tokens once per distinct file and provider", async () => {
    const bytes = bytesOf("t,v\n1,2\n");
    const first = await upload(owner, form(bytes));
    expect(first.status).toBe(201);
    const dataset = (await first.json()) as {
      id: string;
      sha256: string;
      sizeBytes: number;
      rewardUnits: string;
    };
    expect(first.headers.get("location")).toBe(`/api/v1/dataset/${dataset.id}/`);
    expect(dataset.sha256).toBe(sha(bytes));
    expect(dataset.sizeBytes).toBe(bytes.length);
    expect(dataset.rewardUnits).toBe(DATASET_REWARD_UNITS.toString());
    expect(DATASET_REWARD_UNITS).toBe(1_000_000_000n);
    expect(await balance(owner)).toBe(DATASET_REWARD_UNITS);

    // The same file again: stored, earns nothing more.
    const again = await upload(owner, form(bytes, { type: "csv again" }));
    expect(again.status).toBe(201);
    expect(((await again.json()) as { rewardUnits: string }).rewardUnits).toBe("0");
    expect(await balance(owner)).toBe(DATASET_REWARD_UNITS);

    // Deleted and uploaded anew: still nothing (the reward is on the ledger for good).
    await clearDatasets(owner);
    const afterDelete = await upload(owner, form(bytes));
    expect(((await afterDelete.json()) as { rewardUnits: string }).rewardUnits).toBe("0");
    const rewards = await db.ledgerTransaction.findMany({
      where: { reference: `dataset:${sha(bytes)}:${owner.id}` },
    });
    expect(rewards).toHaveLength(1);
    expect(rewards[0]).toMatchObject({
      fromAccount: "platform",
      toAccount: `user:${owner.id}`,
      amount: DATASET_REWARD_UNITS,
      rule: "data",
    });

    // Another provider's first upload of the same file is their own reward.
    const theirs = await upload(other, form(bytes));
    expect(((await theirs.json()) as { rewardUnits: string }).rewardUnits).toBe(
      DATASET_REWARD_UNITS.toString(),
    );

    // A different file is a new reward for the first provider.
    const second = await upload(owner, form(bytesOf("t,v\n3,4\n")));
    expect(((await second.json()) as { rewardUnits: string }).rewardUnits).toBe(
      DATASET_REWARD_UNITS.toString(),
    );
    expect(await balance(owner)).toBe(2n * DATASET_REWARD_UNITS);
    await clearDatasets(owner);
    await clearDatasets(other);
  });

  it("answers 413 past the size limit while streaming, leaving nothing on disk or in the database", async () => {
    const big = new Uint8Array(MAX_BYTES + 1).fill(65);
    const answer = await upload(owner, form(big));
    expect(answer.status).toBe(413);
    const body = (await answer.json()) as { error: string; message: string; field: string };
    expect(body).toMatchObject({ error: "payload_too_large", field: "file" });
    expect(body.message).toContain("4 KiB");
    expect(await db.dataset.count({ where: { ownerId: owner.id } })).toBe(0);
    expect(await readdir(path.join(dir, ".incoming"))).toEqual([]);
    // Exactly at the limit is fine.
    const exact = await upload(owner, form(new Uint8Array(MAX_BYTES).fill(66)));
    expect(exact.status).toBe(201);
    await clearDatasets(owner);
  });

  it("answers 400 with a clear message past the per-user count, and for fields too long or missing", async () => {
    for (let i = 0; i < MAX_PER_USER; i++) {
      expect((await upload(owner, form(bytesOf(`count ${i}`)))).status).toBe(201);
    }
    const refused = await upload(owner, form(bytesOf("one more")));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toBe(
      `You already keep ${MAX_PER_USER} datasets, the most one user may: delete one to upload another.`,
    );
    await clearDatasets(owner);
    const balanceBefore = await balance(owner);

    const longType = await upload(owner, form(bytesOf("x"), { type: "t".repeat(41) }));
    expect(longType.status).toBe(400);
    expect(await longType.json()).toMatchObject({
      field: "type",
      message: "The type is at most 40 characters.",
    });
    const longDescription = await upload(
      owner,
      form(bytesOf("x"), { type: "t", description: "d".repeat(81) }),
    );
    expect(await longDescription.json()).toMatchObject({ field: "description" });
    const longMetadata = await upload(owner, form(bytesOf("x"), { type: "t", metadata: "m".repeat(56) }));
    expect(await longMetadata.json()).toMatchObject({ field: "metadata" });
    const noType = await upload(owner, form(bytesOf("x"), { description: "no type" }));
    expect(await noType.json()).toMatchObject({ field: "type" });
    const empty = await upload(owner, form(new Uint8Array(0)));
    expect(await empty.json()).toMatchObject({ field: "file", message: "The dataset file is empty." });
    const noFile = new FormData();
    noFile.set("type", "csv");
    expect(await (await upload(owner, noFile)).json()).toMatchObject({ field: "file" });
    expect(await db.dataset.count({ where: { ownerId: owner.id } })).toBe(0);
    // Refused uploads credit nothing.
    expect(await balance(owner)).toBe(balanceBefore);
  });

  it("refuses callers without a session or a role", async () => {
    expect((await upload(null, form(bytesOf("x")))).status).toBe(401);
    expect((await upload(nobody, form(bytesOf("x")))).status).toBe(403);
  });
});

describe("a failed store", () => {
  it("records and credits nothing", async () => {
    const broken: ObjectStore = {
      kind: "local",
      incomingDir: () => path.join(dir, ".incoming"),
      put: () => Promise.reject(new ObjectStoreError("disk full")),
      get: () => Promise.resolve(null),
      delete: () => Promise.resolve(),
    };
    const bytes = bytesOf("never stored");
    const body = new Request(`${BASE}/x`, { method: "POST", body: form(bytes) });
    const received: ReceivedUpload = await receiveDatasetUpload(body.body!, {
      contentType: body.headers.get("content-type")!,
      maxFileBytes: MAX_BYTES,
      incomingDir: broken.incomingDir(),
    });
    expect(received.file?.sha256).toBe(sha(bytes));
    await expect(createDataset({ db, user: other, store: broken }, received)).rejects.toBeInstanceOf(
      ObjectStoreError,
    );
    expect(await db.dataset.count({ where: { ownerId: other.id } })).toBe(0);
    expect(
      await db.ledgerTransaction.count({ where: { reference: `dataset:${sha(bytes)}:${other.id}` } }),
    ).toBe(0);
    expect(await readdir(path.join(dir, ".incoming"))).toEqual([]);
  });

  it("removes the stored object when the database refuses the row", async () => {
    const store = new LocalDirectoryStore(dir);
    const bytes = bytesOf("refused row");
    const request = new Request(`${BASE}/x`, { method: "POST", body: form(bytes) });
    const received = await receiveDatasetUpload(request.body!, {
      contentType: request.headers.get("content-type")!,
      maxFileBytes: MAX_BYTES,
      incomingDir: store.incomingDir(),
    });
    // A user that no longer exists: the row's foreign key fails inside the transaction.
    const ghost = { ...other, id: "00000000-0000-4000-8000-000000000000" };
    await expect(createDataset({ db, user: ghost, store }, received)).rejects.toThrow();
    // The object was stored, then removed again.
    expect(await readdir(path.join(dir, ghost.id))).toEqual([]);
  });
});

describe("reading, downloading and deleting", () => {
  it("lets the owner and admins in, another tenant gets 404 everywhere", async () => {
    const bytes = bytesOf("owned by the owner");
    const created = (await (await upload(owner, form(bytes))).json()) as { id: string };
    const id = created.id;

    for (const user of [owner, admin]) {
      expect((await call(getDatasetRest, user, "GET", `/api/v1/dataset/${id}/`, id)).status).toBe(200);
      const download = await call(downloadDatasetRest, user, "GET", `/api/v1/dataset/${id}/download/`, id);
      expect(download.status).toBe(200);
      expect(download.headers.get("content-type")).toBe("application/octet-stream");
      expect(download.headers.get("content-disposition")).toContain('filename="readings.csv"');
      expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
    }
    for (const handler of [getDatasetRest, downloadDatasetRest, deleteDatasetRest]) {
      const method = handler === deleteDatasetRest ? "DELETE" : "GET";
      expect((await call(handler, other, method, `/api/v1/dataset/${id}/`, id)).status).toBe(404);
    }
    const otherList = (await (await call(listDatasetsRest, other, "GET", "/api/v1/dataset/")).json()) as {
      items: { id: string }[];
    };
    expect(otherList.items.map((d) => d.id)).not.toContain(id);
    const adminList = (await (
      await call(listDatasetsRest, admin, "GET", `/api/v1/dataset/?search=readings&pageSize=50`)
    ).json()) as { items: { id: string }[] };
    expect(adminList.items.map((d) => d.id)).toContain(id);

    // tRPC: the same rules.
    const otherCaller = createCaller(contextFor(db, other));
    await expect(otherCaller.dataset.get({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherCaller.dataset.delete({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const ownerCaller = createCaller(contextFor(db, owner));
    expect((await ownerCaller.dataset.usage()).count).toBe(1);
    expect((await ownerCaller.dataset.list({})).items.map((d) => d.id)).toEqual([id]);

    // The owner deletes: the row and the file go, the reward stays.
    const before = await balance(owner);
    expect((await call(deleteDatasetRest, owner, "DELETE", `/api/v1/dataset/${id}/`, id)).status).toBe(204);
    expect((await call(getDatasetRest, owner, "GET", `/api/v1/dataset/${id}/`, id)).status).toBe(404);
    expect(await readdir(path.join(dir, owner.id))).not.toContain(id);
    expect(await balance(owner)).toBe(before);
  });

  it("answers 400 for an id that is not a UUID", async () => {
    const answer = await call(getDatasetRest, owner, "GET", "/api/v1/dataset/nope/", "nope");
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ field: "id" });
  });
});
