import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { z } from "zod";
import { ALL_ROLES, describeRoles, hasAnyRole, hasRole, Role } from "@/common/roles";
import { listInputSchema, type ListPage } from "@/common/pagination";
import type { Prisma } from "@/generated/prisma/client";
import { appendLedgerTransaction, ensureLedgerAccount, TOKEN } from "@/server/accounting";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { describeBytes } from "@/server/edge";
import { DomainError, parseOrThrow } from "@/server/errors";
import { type Logger, logger as rootLogger } from "@/server/logger";
import { serverEnv } from "@/server/env";
import { DATASET_FILE_FIELD, discardSpool, type ReceivedUpload } from "./receive";
import { datasetStore, type ObjectStore } from "./store";

/**
 * Datasets: files users provide to the continuum, each rewarding its provider
 * 10 tokens on the MOCA ledger once per distinct file (the ledger reference
 * `dataset:<sha256>:<userId>` is unique, so re-uploading — even after a
 * delete — earns nothing more). Every signed-in role may provide datasets;
 * each sees and manages their own, admins all of them (another tenant's is
 * "not found").
 */

/** The "Data" rule's reward: 10 tokens per distinct file. */
export const DATASET_REWARD_UNITS = 10n * TOKEN;
export const DATASET_RULE = "data";
const PLATFORM_ACCOUNT = "platform";

export interface DatasetLimits {
  maxBytes: number;
  maxPerUser: number;
}

export interface DatasetDeps {
  db: Db;
  user: SessionUser;
  store?: ObjectStore;
  limits?: DatasetLimits;
  log?: Logger;
}

export function datasetLimits(): DatasetLimits {
  const env = serverEnv();
  return { maxBytes: env.DATASET_MAX_BYTES, maxPerUser: env.DATASET_MAX_PER_USER };
}

const DATASET_ROLES = ALL_ROLES;

function assertMayProvideDatasets(user: SessionUser): void {
  if (!hasAnyRole(user.roles, DATASET_ROLES)) {
    throw new DomainError("forbidden", `This needs the ${describeRoles(DATASET_ROLES)} role.`);
  }
}

function scope(user: SessionUser): Prisma.DatasetWhereInput {
  return hasRole(user.roles, Role.NEMO_ADMIN) ? {} : { ownerId: user.id };
}

const trimmed = (label: string, max: number) =>
  z
    .string({ error: `${label} is text.` })
    .trim()
    .max(max, { error: `${label} is at most ${max} characters.` });

/** The upload's text fields (multipart `type`, `description`, `metadata`). */
export const datasetFieldsSchema = z.object({
  type: trimmed("The type", 40).min(1, { error: "Give the dataset a type (at most 40 characters)." }),
  description: trimmed("The description", 80).default(""),
  metadata: trimmed("The metadata", 55).default(""),
});
export type DatasetFields = z.infer<typeof datasetFieldsSchema>;

export const datasetIdInput = z.object({
  id: z.uuid({ error: "The dataset id is a UUID." }),
});

export const DATASET_SORTS = ["createdAt", "fileName", "type", "sizeBytes"] as const;
export const datasetListInput = listInputSchema(DATASET_SORTS, "createdAt", "desc");
export type DatasetListInput = z.input<typeof datasetListInput>;

/** One dataset as the console and REST show it (amounts as decimal strings of units). */
export interface DatasetItem {
  id: string;
  type: string;
  description: string;
  metadata: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  /** Units this upload earned ("1000000000" = 10 tokens; "0" when the file had earned it before). */
  rewardUnits: string;
  /** The reward's ledger transaction, if it earned one. */
  rewardSequence: string | null;
  owner: { id: string; username: string };
  createdAt: Date;
}

const itemSelect = {
  id: true,
  type: true,
  description: true,
  metadata: true,
  fileName: true,
  sizeBytes: true,
  sha256: true,
  rewardUnits: true,
  rewardSequence: true,
  createdAt: true,
  owner: { select: { id: true, username: true } },
} satisfies Prisma.DatasetSelect;

type ItemRow = Prisma.DatasetGetPayload<{ select: typeof itemSelect }>;

function toItem(row: ItemRow): DatasetItem {
  return {
    id: row.id,
    type: row.type,
    description: row.description,
    metadata: row.metadata,
    fileName: row.fileName,
    sizeBytes: Number(row.sizeBytes),
    sha256: row.sha256,
    rewardUnits: row.rewardUnits.toString(),
    rewardSequence: row.rewardSequence?.toString() ?? null,
    owner: row.owner,
    createdAt: row.createdAt,
  };
}

function notFound(id: string): DomainError {
  return new DomainError("not_found", `Dataset ${id} was not found.`, "id");
}

function tooMany(limits: DatasetLimits): DomainError {
  return new DomainError(
    "invalid",
    `You already keep ${limits.maxPerUser} datasets, the most one user may: delete one to upload another.`,
    DATASET_FILE_FIELD,
  );
}

/** Refuses early (before the file streams in) when the caller already keeps the most datasets allowed. */
export async function assertMayUploadDataset(deps: DatasetDeps): Promise<void> {
  assertMayProvideDatasets(deps.user);
  const limits = deps.limits ?? datasetLimits();
  const count = await deps.db.dataset.count({ where: { ownerId: deps.user.id } });
  if (count >= limits.maxPerUser) throw tooMany(limits);
}

/**
 * Records a received upload: validates its fields, moves the spooled file into
 * the store, then — in one transaction — the dataset row and its reward. A
 * store failure records and credits nothing (ObjectStoreError); a failed
 * transaction removes the stored object again. The spool is always consumed.
 */
export async function createDataset(deps: DatasetDeps, received: ReceivedUpload): Promise<DatasetItem> {
  const { db, user } = deps;
  const store = deps.store ?? datasetStore();
  const limits = deps.limits ?? datasetLimits();
  const log = (deps.log ?? rootLogger).child({ module: "datasets", userId: user.id });
  const file = received.file;
  try {
    assertMayProvideDatasets(user);
    const fields = parseOrThrow(datasetFieldsSchema, received.fields);
    if (!file)
      throw new DomainError("invalid", "Attach the dataset's file in the field file.", DATASET_FILE_FIELD);
    if (file.sizeBytes === 0)
      throw new DomainError("invalid", "The dataset file is empty.", DATASET_FILE_FIELD);
    if (file.sizeBytes > limits.maxBytes) {
      throw new DomainError(
        "too_large",
        `The dataset file is larger than the limit of ${describeBytes(limits.maxBytes)} (${limits.maxBytes} bytes).`,
        DATASET_FILE_FIELD,
      );
    }
    const id = randomUUID();
    const storageKey = `${user.id}/${id}`;
    await store.put(storageKey, file);
    try {
      const row = await db.$transaction(async (tx) => {
        // One upload per user at a time past this point: the count limit holds under concurrent uploads.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`datasets:${user.id}`}))`;
        const count = await tx.dataset.count({ where: { ownerId: user.id } });
        if (count >= limits.maxPerUser) throw tooMany(limits);
        await ensureLedgerAccount(tx, {
          id: PLATFORM_ACCOUNT,
          kind: "PLATFORM",
          ownerUserId: null,
          displayName: "Platform",
        });
        const account = `user:${user.id}`;
        await ensureLedgerAccount(tx, {
          id: account,
          kind: "USER",
          ownerUserId: user.id,
          displayName: user.username,
        });
        const reward = await appendLedgerTransaction(tx, {
          from: PLATFORM_ACCOUNT,
          to: account,
          amount: DATASET_REWARD_UNITS,
          rule: DATASET_RULE,
          reference: `dataset:${file.sha256}:${user.id}`,
          inputs: {
            datasetId: id,
            sha256: file.sha256,
            sizeBytes: String(file.sizeBytes),
            reward: DATASET_REWARD_UNITS.toString(),
          },
        });
        return tx.dataset.create({
          data: {
            id,
            ownerId: user.id,
            ...fields,
            fileName: file.fileName,
            sizeBytes: BigInt(file.sizeBytes),
            sha256: file.sha256,
            storageKey,
            rewardUnits: reward.appended ? DATASET_REWARD_UNITS : 0n,
            rewardSequence: reward.appended ? reward.sequence : null,
          },
          select: itemSelect,
        });
      });
      log.info(
        {
          datasetId: id,
          sha256: file.sha256,
          sizeBytes: file.sizeBytes,
          rewardUnits: row.rewardUnits.toString(),
        },
        row.rewardSequence === null ? "dataset stored (file rewarded before)" : "dataset stored and rewarded",
      );
      return toItem(row);
    } catch (error) {
      await store.delete(storageKey).catch((cleanup: unknown) => {
        log.error(
          { err: cleanup, datasetId: id, storageKey },
          "dataset: stored object not removed after a failed save",
        );
      });
      throw error;
    }
  } finally {
    await discardSpool(file);
  }
}

export async function listDatasets(
  deps: DatasetDeps,
  input: DatasetListInput,
): Promise<ListPage<DatasetItem>> {
  assertMayProvideDatasets(deps.user);
  const query = parseOrThrow(datasetListInput, input);
  const where: Prisma.DatasetWhereInput = { ...scope(deps.user) };
  if (query.search) {
    where.OR = [
      { fileName: { contains: query.search, mode: "insensitive" } },
      { type: { contains: query.search, mode: "insensitive" } },
      { description: { contains: query.search, mode: "insensitive" } },
    ];
  }
  const [rows, total] = await Promise.all([
    deps.db.dataset.findMany({
      where,
      select: itemSelect,
      orderBy: [{ [query.sort]: query.direction }, { id: "asc" }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    }),
    deps.db.dataset.count({ where }),
  ]);
  return { items: rows.map(toItem), total, page: query.page, pageSize: query.pageSize };
}

export async function getDataset(deps: DatasetDeps, id: string): Promise<DatasetItem> {
  assertMayProvideDatasets(deps.user);
  const { id: valid } = parseOrThrow(datasetIdInput, { id });
  const row = await deps.db.dataset.findFirst({
    where: { id: valid, ...scope(deps.user) },
    select: itemSelect,
  });
  if (!row) throw notFound(valid);
  return toItem(row);
}

/** The caller's own count against the limits (the upload form shows them). */
export async function datasetUsage(deps: DatasetDeps): Promise<DatasetLimits & { count: number }> {
  assertMayProvideDatasets(deps.user);
  const limits = deps.limits ?? datasetLimits();
  const count = await deps.db.dataset.count({ where: { ownerId: deps.user.id } });
  return { ...limits, count };
}

/** The stored bytes of a dataset (owner and admins). */
export async function openDataset(
  deps: DatasetDeps,
  id: string,
): Promise<{ dataset: DatasetItem; body: Readable }> {
  const dataset = await getDataset(deps, id);
  const row = await deps.db.dataset.findUniqueOrThrow({
    where: { id: dataset.id },
    select: { storageKey: true },
  });
  const body = await (deps.store ?? datasetStore()).get(row.storageKey);
  if (!body) {
    (deps.log ?? rootLogger).error(
      { module: "datasets", datasetId: dataset.id, storageKey: row.storageKey },
      "dataset: row without its stored object",
    );
    throw new DomainError("not_found", `The file of dataset ${dataset.id} is missing from the store.`, "id");
  }
  return { dataset, body };
}

/**
 * Deletes a dataset (owner and admins): the row first, then the object, so a
 * failure leaves at worst an unreferenced object, never a row without its
 * file. The reward stays on the ledger (append-only).
 */
export async function deleteDataset(deps: DatasetDeps, id: string): Promise<void> {
  const dataset = await getDataset(deps, id);
  const row = await deps.db.dataset.delete({ where: { id: dataset.id }, select: { storageKey: true } });
  const log = (deps.log ?? rootLogger).child({ module: "datasets", datasetId: dataset.id });
  await (deps.store ?? datasetStore()).delete(row.storageKey).catch((error: unknown) => {
    log.error({ err: error, storageKey: row.storageKey }, "dataset: object not removed from the store");
  });
  log.info({ userId: deps.user.id, ownerId: dataset.owner.id }, "dataset deleted");
}
