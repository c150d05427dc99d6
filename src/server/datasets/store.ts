import { createReadStream } from "node:fs";
import { copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { serverEnv, type ServerEnv } from "@/server/env";

/**
 * Where dataset files live: a local directory by default, any S3-compatible
 * store when S3_BUCKET is set. The upload is spooled to `incomingDir()` first
 * (its sha256 and size computed and its cap enforced while it streams in), then
 * handed over whole with `put`: the store never holds a partial file, and S3
 * gets a known Content-Length (no multipart upload needed).
 */
export interface ObjectStore {
  readonly kind: "local" | "s3";
  /** A directory on this machine for spooled uploads (renamed into place when it is the store's own disk). */
  incomingDir(): string;
  /** Stores the spooled file under `key`; the spool file is consumed (moved or deleted by the caller). */
  put(key: string, source: { path: string; sizeBytes: number; sha256: string }): Promise<void>;
  /** The stored bytes, or null when the object is gone. */
  get(key: string): Promise<Readable | null>;
  /** Removes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
}

/** A failure of the store itself (disk full, S3 unreachable): nothing is recorded or credited. */
export class ObjectStoreError extends Error {
  override readonly name = "ObjectStoreError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Keys are made by the domain (`<ownerId>/<datasetId>`, both UUIDs); anything else is a bug. */
const KEY = /^[0-9a-f-]{36}\/[0-9a-f-]{36}$/;
function checkedKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`Invalid object key ${JSON.stringify(key)}`);
  return key;
}

export class LocalDirectoryStore implements ObjectStore {
  readonly kind = "local" as const;
  readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  incomingDir(): string {
    // Inside the root: the same file system, so `put` is a rename, not a copy.
    return path.join(this.root, ".incoming");
  }

  private file(key: string): string {
    return path.join(this.root, checkedKey(key));
  }

  async put(key: string, source: { path: string }): Promise<void> {
    const target = this.file(key);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      try {
        await rename(source.path, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
        await copyFile(source.path, target);
      }
    } catch (error) {
      throw new ObjectStoreError(`The dataset store (${this.root}) could not keep the file.`, {
        cause: error,
      });
    }
  }

  async get(key: string): Promise<Readable | null> {
    const file = this.file(key);
    try {
      await stat(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    return createReadStream(file);
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }
}

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket ("datasets/"). */
  prefix: string;
  client: S3Client;
}

export class S3ObjectStore implements ObjectStore {
  readonly kind = "s3" as const;
  constructor(private readonly options: S3StoreOptions) {}

  incomingDir(): string {
    return path.join(tmpdir(), "nemo-dataset-incoming");
  }

  private objectKey(key: string): string {
    return `${this.options.prefix}${checkedKey(key)}`;
  }

  async put(key: string, source: { path: string; sizeBytes: number; sha256: string }): Promise<void> {
    try {
      await this.options.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.objectKey(key),
          Body: createReadStream(source.path),
          ContentLength: source.sizeBytes,
          ContentType: "application/octet-stream",
          Metadata: { sha256: source.sha256 },
        }),
      );
    } catch (error) {
      throw new ObjectStoreError(
        `The dataset store (bucket ${this.options.bucket}) could not keep the file.`,
        {
          cause: error,
        },
      );
    }
  }

  async get(key: string): Promise<Readable | null> {
    try {
      const answer = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
      );
      const body = answer.Body;
      if (!body) return null;
      if (body instanceof Readable) return body;
      return Readable.fromWeb(body.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.options.client.send(
      new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
    );
  }
}

/** The S3 client for the S3_* settings. */
export function s3ClientFrom(
  env: Pick<
    ServerEnv,
    "S3_ENDPOINT" | "S3_REGION" | "S3_ACCESS_KEY_ID" | "S3_SECRET_ACCESS_KEY" | "S3_FORCE_PATH_STYLE"
  >,
): S3Client {
  const config: S3ClientConfig = {
    region: env.S3_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    // Checksums only where S3 requires them: many S3-compatible stores reject the SDK's
    // default aws-chunked CRC32 trailers, and the file's sha256 is checked by the domain.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  if (env.S3_ENDPOINT) config.endpoint = env.S3_ENDPOINT;
  if (env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY) {
    config.credentials = { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY };
  }
  return new S3Client(config);
}

let configured: ObjectStore | undefined;

/** The process's dataset store, from the environment (S3 when S3_BUCKET is set). */
export function datasetStore(): ObjectStore {
  if (!configured) {
    const env = serverEnv();
    configured = env.S3_BUCKET
      ? new S3ObjectStore({ bucket: env.S3_BUCKET, prefix: env.S3_PREFIX, client: s3ClientFrom(env) })
      : new LocalDirectoryStore(env.DATASET_DIR);
  }
  return configured;
}
