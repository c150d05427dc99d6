import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@/server/testing/processes";
import {
  LocalDirectoryStore,
  ObjectStoreError,
  S3ObjectStore,
  s3ClientFrom,
  type ObjectStore,
} from "./store";

/*
 * Both object stores through the same contract: put a spooled file under a
 * key, read it back, delete it (a missing object reads as null). The S3 store
 * runs against s3rver, a local S3-compatible server from npm, with the
 * official AWS SDK v3 client configured as for any S3-compatible store; the
 * SDK's mock client covers a store that refuses the write.
 */

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const OWNER = "11111111-1111-4111-8111-111111111111";
const DATASET = "22222222-2222-4222-8222-222222222222";
const KEY = `${OWNER}/${DATASET}`;
let work: string;

async function spool(content: string) {
  const file = path.join(work, `spool-${Math.random().toString(16).slice(2)}`);
  await writeFile(file, content);
  return {
    path: file,
    sizeBytes: Buffer.byteLength(content),
    sha256: createHash("sha256").update(content).digest("hex"),
  };
}

async function roundTrip(store: ObjectStore) {
  const source = await spool("sensor,value\na,1\n");
  await store.put(KEY, source);
  const body = await store.get(KEY);
  expect(body).not.toBeNull();
  expect(await text(body!)).toBe("sensor,value\na,1\n");
  await store.delete(KEY);
  expect(await store.get(KEY)).toBeNull();
  // Deleting what is gone is not an error.
  await store.delete(KEY);
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "nemo-store-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("LocalDirectoryStore", () => {
  it("keeps, reads and removes a file under its key", async () => {
    const store = new LocalDirectoryStore(path.join(work, "local"));
    await roundTrip(store);
  });

  it("refuses keys it did not make (no path traversal)", async () => {
    const store = new LocalDirectoryStore(path.join(work, "local"));
    await expect(store.get("../../etc/passwd")).rejects.toThrow("Invalid object key");
  });

  it("reports a failed write as ObjectStoreError", async () => {
    const blocked = path.join(work, "blocked");
    await writeFile(blocked, "a file where the store's directory would be");
    const store = new LocalDirectoryStore(blocked);
    await expect(store.put(KEY, await spool("x"))).rejects.toBeInstanceOf(ObjectStoreError);
  });
});

describe("S3ObjectStore", () => {
  let server: S3rverInstance;
  let endpoint: string;
  const bucket = "nemo-datasets";

  beforeAll(async () => {
    // s3rver ships no types: its constructor is declared above, as far as this test uses it.
    const moduleName = "s3rver";
    const { default: S3rver } = (await import(moduleName)) as { default: S3rverClass };
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    server = new S3rver({
      port,
      address: "127.0.0.1",
      silent: true,
      directory: path.join(work, "s3rver"),
      configureBuckets: [{ name: bucket }],
    });
    await server.run();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("keeps, reads and removes an object in an S3-compatible store", async () => {
    const client = s3ClientFrom({
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      S3_FORCE_PATH_STYLE: true,
    });
    const store = new S3ObjectStore({ bucket, prefix: "datasets/", client });
    await roundTrip(store);
    // The object sits under the prefix, with its sha256 as metadata.
    const source = await spool("with metadata");
    await store.put(KEY, source);
    const head = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `datasets/${KEY}` }));
    expect(head.Metadata?.sha256).toBe(source.sha256);
    expect(await head.Body?.transformToString()).toBe("with metadata");
    await store.delete(KEY);
  });

  it("reports a refused write as ObjectStoreError (SDK mock client)", async () => {
    const client = new S3Client({ region: "us-east-1" });
    const mock = mockClient(client);
    mock.on(PutObjectCommand).rejects(new Error("AccessDenied"));
    const store = new S3ObjectStore({ bucket, prefix: "datasets/", client });
    const source = await spool("refused");
    await expect(store.put(KEY, source)).rejects.toBeInstanceOf(ObjectStoreError);
    expect(mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: bucket,
      Key: `datasets/${KEY}`,
      ContentLength: source.sizeBytes,
    });
    // The spool file is the caller's: still there to be discarded.
    expect(await readFile(source.path, "utf8")).toBe("refused");
    mock.restore();
  });
});
