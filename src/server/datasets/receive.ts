import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { describeBytes } from "@/server/edge";
import { DomainError } from "@/server/errors";

/**
 * Reads a multipart upload as it streams in: the text fields into memory
 * (each capped), the one file part into a spool file in `incomingDir`, with
 * its sha256 and size computed on the way. Past `maxFileBytes` it stops
 * reading at once (413); nothing of a refused upload is left on disk.
 */

/** The multipart field holding the dataset's file. */
export const DATASET_FILE_FIELD = "file";
/** The text fields a dataset upload may carry. */
export const DATASET_TEXT_FIELDS = ["type", "description", "metadata"] as const;
/** A text field is cut here while reading (the real limits, 40/80/55, are checked afterwards). */
const FIELD_READ_CAP = 1024;
const MAX_FILE_NAME = 255;

export interface SpooledFile {
  /** The spool file; the caller moves it into the store or removes it (`discardSpool`). */
  path: string;
  sizeBytes: number;
  sha256: string;
  /** The client's name for it, without any directory part, at most 255 characters. */
  fileName: string;
}

export interface ReceivedUpload {
  fields: Partial<Record<(typeof DATASET_TEXT_FIELDS)[number], string>>;
  file: SpooledFile | null;
}

export interface ReceiveOptions {
  contentType: string;
  maxFileBytes: number;
  incomingDir: string;
}

export function datasetTooLarge(maxFileBytes: number): DomainError {
  return new DomainError(
    "too_large",
    `The dataset file is larger than the limit of ${describeBytes(maxFileBytes)} (${maxFileBytes} bytes).`,
    DATASET_FILE_FIELD,
  );
}

function invalid(message: string, field?: string): DomainError {
  return new DomainError("invalid", message, field);
}

/** The base name a browser or curl sent, cleaned: no directories, no control characters. */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? "").split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return (clean === "" ? "dataset" : clean).slice(0, MAX_FILE_NAME);
}

/** Counts and hashes the bytes passing through; fails past the cap. */
class MeasuringStream extends Transform {
  readonly hash = createHash("sha256");
  bytes = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(datasetTooLarge(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

export async function discardSpool(file: SpooledFile | null): Promise<void> {
  if (file) await rm(file.path, { force: true });
}

export async function receiveDatasetUpload(
  body: ReadableStream<Uint8Array> | Readable,
  options: ReceiveOptions,
): Promise<ReceivedUpload> {
  if (!options.contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw invalid(
      `Send the dataset as multipart/form-data with the fields ${DATASET_TEXT_FIELDS.join(", ")} and ${DATASET_FILE_FIELD}.`,
      DATASET_FILE_FIELD,
    );
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": options.contentType },
      limits: {
        files: 1,
        fields: DATASET_TEXT_FIELDS.length + 5,
        parts: DATASET_TEXT_FIELDS.length + 6,
        fieldSize: FIELD_READ_CAP,
        fieldNameSize: 100,
        // One byte more than allowed, so MeasuringStream sees the excess and refuses.
        fileSize: options.maxFileBytes + 1,
      },
    });
  } catch {
    throw invalid(
      "The multipart body could not be read (no boundary in its Content-Type).",
      DATASET_FILE_FIELD,
    );
  }
  await mkdir(options.incomingDir, { recursive: true });
  const source =
    body instanceof Readable ? body : Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]);
  const fields: ReceivedUpload["fields"] = {};
  // Set from the parser's callbacks (an object, so the checks after them see the updates).
  const state: { file: SpooledFile | null; spooling: Promise<void> | null; failure: unknown } = {
    file: null,
    spooling: null,
    failure: null,
  };

  const done = new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      if (state.failure) return;
      state.failure = error;
      // Stop reading the request: a refused upload is not read to its end.
      source.unpipe(parser);
      source.destroy();
      reject(error);
    };
    parser.on("field", (name, value) => {
      if ((DATASET_TEXT_FIELDS as readonly string[]).includes(name)) {
        fields[name as (typeof DATASET_TEXT_FIELDS)[number]] = value;
      }
    });
    parser.on("file", (name, stream, info) => {
      if (name !== DATASET_FILE_FIELD) {
        stream.resume();
        fail(invalid(`Send the dataset's file in the field ${DATASET_FILE_FIELD}, not ${name}.`, name));
        return;
      }
      const spoolPath = path.join(options.incomingDir, `${randomUUID()}.part`);
      const measure = new MeasuringStream(options.maxFileBytes);
      const spooled: SpooledFile = {
        path: spoolPath,
        sizeBytes: 0,
        sha256: "",
        fileName: cleanFileName(info.filename),
      };
      state.file = spooled;
      state.spooling = pipeline(stream, measure, createWriteStream(spoolPath)).then(
        () => {
          spooled.sizeBytes = measure.bytes;
          spooled.sha256 = measure.hash.digest("hex");
        },
        (error: unknown) => {
          fail(
            error instanceof DomainError
              ? error
              : invalid("The dataset file could not be read.", DATASET_FILE_FIELD),
          );
        },
      );
    });
    parser.on("filesLimit", () => fail(invalid("Send one file per dataset.", DATASET_FILE_FIELD)));
    parser.on("fieldsLimit", () => fail(invalid("The upload has too many fields.", DATASET_FILE_FIELD)));
    parser.on("partsLimit", () => fail(invalid("The upload has too many parts.", DATASET_FILE_FIELD)));
    parser.on("error", () => fail(invalid("The multipart body could not be read.", DATASET_FILE_FIELD)));
    parser.on("close", () => {
      void (async () => {
        await state.spooling;
        if (!state.failure) resolve();
      })();
    });
    source.on("error", () => fail(invalid("The upload was interrupted.", DATASET_FILE_FIELD)));
    source.pipe(parser);
  });

  try {
    await done;
  } catch (error) {
    await state.spooling?.catch(() => undefined);
    await discardSpool(state.file);
    throw error;
  }
  return { fields, file: state.file };
}
