import { randomUUID } from "node:crypto";
import { Prisma } from "@/generated/prisma/client";
import type { IntentAdminState } from "@/generated/prisma/enums";
import { enqueueOutbox, messages, type IntentNotification, type TransactionClient } from "@/server/bus";
import { hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow, type Problem } from "@/server/errors";
import { logger } from "@/server/logger";
import { openSecret, sealSecret } from "@/server/secrets";
import { intentType } from "@/common/intent-catalogue";
import { intentTypeNameSchema } from "@/common/intent-catalogue-schema";
import {
  changeTargetSchema,
  checkImportedIntent,
  checkTarget,
  createIntentInputSchema,
  instanceNamedBy,
  instantOf,
  intentFromForm,
  targetValueFor,
  templateIntent,
  unsupportedIntentMessage,
  workloadContext,
  WORKLOAD_CONTEXT,
  type ChangeTargetInput,
  type CreateIntentInput,
  type FormIntent,
  type IntentActionName,
} from "./form";
import { isUuid } from "@/common/ids";
import { formatFieldPath, type Intent } from "./model";
import {
  assertIntentUser,
  detailOf,
  latestReports,
  loadIntent,
  normalFormOf,
  nowOf,
  type IntentDeps,
  type IntentDetail,
} from "./queries";
import { recordReport } from "./record-report";
import { lifecycleReport, storedTargetResults, type IntentReportDraft } from "./report";
import {
  describeIntentIssue,
  intentToYaml,
  parseIntentYaml,
  placeInYaml,
  restoreSecrets,
  yamlLineOf,
} from "./yaml";

/**
 * Intent management: create an intent from the form, a YAML upload
 * or (REST) the normal form as JSON; start, suspend, delete; change a target
 * value; templates. Every change writes the intent, a lifecycle report and
 * the `intent-notify` message (outbox) in one transaction, so the evaluator,
 * the report page and the migration controller agree on what happened.
 * Reads live in queries.ts.
 */
const log = logger.child({ module: "intents" });

export type { IntentDeps } from "./queries";

type IntentAction = IntentNotification["Action"];

// ---------------------------------------------------------------------------
// Instances

const instanceSelect = {
  id: true,
  shortId: true,
  releaseName: true,
  ownerId: true,
  status: true,
  workload: { select: { name: true, version: true, supportedIntents: true } },
} as const;

/** The caller's instance (any, for an admin) that can still take intents. */
async function intentInstance(db: Db, user: SessionUser, instanceId: string | undefined) {
  if (!instanceId) {
    throw new DomainError(
      "invalid",
      `The intent does not name its workload instance: add a ${WORKLOAD_CONTEXT} context or pass instanceId.`,
      "instanceId",
    );
  }
  const missing = () => new DomainError("not_found", `No workload instance ${instanceId}.`, "instanceId");
  if (!isUuid(instanceId)) throw missing();
  const instance = await db.workloadInstance.findFirst({
    where: { id: instanceId, ...(hasRole(user.roles, Role.NEMO_ADMIN) ? {} : { ownerId: user.id }) },
    select: instanceSelect,
  });
  if (!instance) throw missing();
  if (instance.status === "DELETED" || instance.status === "DELETING") {
    throw new DomainError(
      "conflict",
      `Instance ${instance.releaseName} is ${instance.status}: it takes no new intents.`,
      "instanceId",
    );
  }
  return instance;
}

// ---------------------------------------------------------------------------
// Writing

export interface NewIntent {
  /** Row id; a form intent's normal form uses it as its `id` too. */
  id: string;
  /** The id an imported intent carried (unique per tenant), null for form intents. */
  externalId: string | null;
  instanceId: string;
  /** The instance's owner: an intent belongs to its instance's tenant, whoever created it. */
  ownerId: string;
  /** Normal form, secrets already redacted. */
  intent: Intent;
  secrets: Readonly<Record<string, string>>;
  validFrom: Date | null;
  validUntil: Date | null;
}

async function notify(tx: TransactionClient, intentId: string, instanceId: string, action: IntentAction) {
  await enqueueOutbox(tx, messages.intentNotify, {
    Type: "intent",
    IntentID: intentId,
    WorkloadID: instanceId,
    Action: action,
  });
}

const asJson = (intent: Intent) => intent as unknown as Prisma.InputJsonObject;

function duplicateId(externalId: string, what?: string): DomainError {
  return new DomainError(
    "conflict",
    `An intent with id "${externalId}" already exists${what ? ` (${what})` : ""}: replace it to update that intent in place (REST: ?replace=true), or give the document another id.`,
    "id",
  );
}

/**
 * Refuses an intent type the instance's workload does not declare among its
 * Supported Intents (400 naming the type), whichever way the intent arrives.
 */
function assertSupported(
  workload: { name: string; version: string; supportedIntents: readonly string[] },
  typeName: string,
  field: string,
  line?: number,
): void {
  const message = unsupportedIntentMessage(workload, typeName);
  if (message === null) return;
  throw new DomainError(
    "invalid",
    message,
    field,
    line !== undefined ? [{ field, message, line }] : undefined,
  );
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * Stores a new intent inside the caller's transaction: the row (first
 * evaluation due now), its ACKNOWLEDGED report and the "created"
 * notification. createIntent and instance creation (intent template) share it.
 */
export async function insertIntent(tx: TransactionClient, data: NewIntent): Promise<void> {
  const { intent } = data;
  const secrets =
    Object.keys(data.secrets).length > 0 ? sealSecret(JSON.stringify(data.secrets)).cipher : null;
  await tx.intent.create({
    data: {
      id: data.id,
      externalId: data.externalId,
      intentType: intent.userLabel,
      instanceId: data.instanceId,
      ownerId: data.ownerId,
      adminState: intent.intentAdminState,
      priority: intent.intentPriority,
      observationPeriodS: intent.observationPeriod,
      contextSelectivity: intent.contextSelectivity ?? null,
      validFrom: data.validFrom,
      validUntil: data.validUntil,
      body: asJson(intent),
      secretsCipher: secrets,
    },
  });
  // The trigger has created its schedule, due now.
  const reason =
    intent.intentAdminState === "ACTIVATED"
      ? "intent received; first evaluation pending"
      : "intent received deactivated; start it to have it evaluated";
  await recordReport(tx, data.id, lifecycleReport("ACKNOWLEDGED", reason));
  await notify(tx, data.id, data.instanceId, "created");
}

/** A form (or instance template) as a new intent of `instance`. */
export function newIntentFromForm(
  instance: { id: string; ownerId: string },
  form: FormIntent,
  id: string = randomUUID(),
): NewIntent {
  return {
    id,
    externalId: null,
    instanceId: instance.id,
    ownerId: instance.ownerId,
    intent: intentFromForm(id, instance.id, form),
    secrets: {},
    validFrom: instantOf(form.start) ?? null,
    validUntil: instantOf(form.end) ?? null,
  };
}

interface Imported {
  intent: Intent;
  secrets: Readonly<Record<string, string>>;
}

/**
 * An uploaded intent (YAML text, or the normal form as JSON) in normal form
 * with its secrets lifted out, or every problem with its field (and line).
 */
function importIntent(text: string, format: "yaml" | "json"): Imported {
  const parsed = parseIntentYaml(text);
  // JSON is YAML: one parser gives both formats the variant spellings and the
  // secret handling; lines only mean something for YAML text.
  const place = (problem: Problem): Problem =>
    format === "yaml" ? problem : { field: problem.field, message: problem.message };
  const what = format === "yaml" ? "intent YAML" : "intent";
  const fail = (problems: Problem[]): never => {
    const first = problems[0];
    throw new DomainError(
      "invalid",
      `The ${what} is invalid: ${first ? describeIntentIssue(first) : "unknown problem"}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`,
      first?.field,
      problems,
    );
  };
  if (!parsed.ok) {
    return fail(
      parsed.issues.map((issue) =>
        place({
          field: issue.field,
          message: issue.message,
          ...(issue.line !== undefined ? { line: issue.line } : {}),
        }),
      ),
    );
  }
  const problems = checkImportedIntent(parsed.intent);
  if (problems.length > 0) {
    return fail(problems.map((problem) => place(placeInYaml(text, problem.path, problem.message))));
  }
  return { intent: parsed.intent, secrets: parsed.secrets };
}

/** The imported intent names its instance (adding the NEMO_WORKLOAD context when only the caller did). */
function boundToInstance(intent: Intent, instanceId: string): Intent {
  const named = intent.intentContexts.some((c) => c.contextAttribute === WORKLOAD_CONTEXT);
  return named
    ? intent
    : { ...intent, intentContexts: [...intent.intentContexts, workloadContext(instanceId)] };
}

/**
 * The tenant's live intent an imported document's `id` names: the intent it
 * was imported with that id, or the intent whose row id it is (what a form
 * intent's export carries). When both exist (a copy imported before this
 * rule), the row id wins: the document was exported from that intent.
 */
async function intentWithDocumentId(db: Db, ownerId: string, documentId: string) {
  const rows = await db.intent.findMany({
    where: {
      ownerId,
      deletedAt: null,
      OR: [{ externalId: documentId }, ...(isUuid(documentId) ? [{ id: documentId }] : [])],
    },
    select: {
      id: true,
      externalId: true,
      instanceId: true,
      intentType: true,
      adminState: true,
      secretsCipher: true,
      instance: { select: { releaseName: true } },
    },
  });
  return rows.find((row) => row.id === documentId) ?? rows[0] ?? null;
}
type DocumentIntent = NonNullable<Awaited<ReturnType<typeof intentWithDocumentId>>>;

/**
 * The stored secrets a replacing document still refers to: an export shows
 * secret contexts as `<redacted>`, so importing it back must keep the sealed
 * values where the document keeps the redacted context, not drop them.
 */
function keptSecrets(
  cipher: Uint8Array | null,
  intent: Intent,
  fresh: Readonly<Record<string, string>>,
): Record<string, string> {
  if (!cipher) return {};
  const stored = JSON.parse(openSecret(cipher)) as Record<string, string>;
  const unchanged = JSON.stringify(intent);
  return Object.fromEntries(
    Object.entries(stored).filter(
      // restoreSecrets fills a path only where the document holds a redacted secret context.
      ([path, value]) =>
        !(path in fresh) && JSON.stringify(restoreSecrets(intent, { [path]: value })) !== unchanged,
    ),
  );
}

/**
 * An import with `replace`: the document becomes the body of the intent its
 * id names — same row, same reports, evaluated again now — with an
 * ACKNOWLEDGED (or, deactivated, SUSPENDED) report and an `updated` notice.
 */
async function replaceIntent(
  deps: IntentDeps,
  existing: DocumentIntent,
  instanceId: string,
  imported: Imported,
): Promise<IntentDetail> {
  const { db, user } = deps;
  const label = existing.externalId ?? existing.id;
  if (existing.instanceId !== instanceId) {
    throw new DomainError(
      "conflict",
      `Intent "${label}" belongs to instance ${existing.instance.releaseName}: a replace keeps an intent on its instance; give the document another id to create one here.`,
      "instanceId",
    );
  }
  const intent = boundToInstance(imported.intent, instanceId);
  const secrets = { ...keptSecrets(existing.secretsCipher, intent, imported.secrets), ...imported.secrets };
  const period = intent.validityPeriod;
  const activated = intent.intentAdminState === "ACTIVATED";
  const who = user.displayName || user.username;
  const now = nowOf(deps);
  await db.$transaction(async (tx) => {
    const { count } = await tx.intent.updateMany({
      where: { id: existing.id, deletedAt: null },
      data: {
        targetsChangedAt: now,
        intentType: intent.userLabel,
        adminState: intent.intentAdminState,
        priority: intent.intentPriority,
        observationPeriodS: intent.observationPeriod,
        contextSelectivity: intent.contextSelectivity ?? null,
        validFrom: period ? new Date(period.startTime) : null,
        validUntil: period ? new Date(period.endTime) : null,
        body: asJson(intent),
        secretsCipher: Object.keys(secrets).length > 0 ? sealSecret(JSON.stringify(secrets)).cipher : null,
      },
    });
    if (count === 0) throw new DomainError("conflict", `Intent ${label} was deleted meanwhile.`, "id");
    // Due now; a re-activated intent announces its first NOT_FULFILLED again (as "start" does).
    await tx.intentSchedule.update({
      where: { intentId: existing.id },
      data: {
        nextEvaluationAt: now,
        ...(activated && existing.adminState !== "ACTIVATED" ? { lastFulfilment: null } : {}),
      },
    });
    await recordReport(
      tx,
      existing.id,
      activated
        ? lifecycleReport("ACKNOWLEDGED", `intent replaced by ${who} (import); evaluation pending`)
        : lifecycleReport("SUSPENDED", `intent replaced by ${who} (import), deactivated`),
      now,
    );
    await notify(tx, existing.id, instanceId, "updated");
  });
  log.info(
    {
      intent: existing.id,
      externalId: existing.externalId,
      intentType: intent.userLabel,
      instance: instanceId,
      secrets: Object.keys(secrets).length,
      by: user.username,
    },
    "intent replaced by import; re-evaluation due",
  );
  return detailOf(db, await loadIntent(db, user, existing.id), now);
}

/**
 * Creates an intent on one of the caller's instances (an admin: any) that
 * is not being deleted. The form is checked against the catalogue (field
 * errors like `targets.0.targetValue`); YAML and JSON against the normal
 * form and the catalogue (problems with field and line); every source
 * against the workload's Supported Intents (400 naming the type). An
 * imported id must not name one of the tenant's intents (409, field `id`)
 * unless `replace` asks to update that intent in place.
 */
export async function createIntent(deps: IntentDeps, input: CreateIntentInput): Promise<IntentDetail> {
  return (await createOrReplaceIntent(deps, input)).intent;
}

/** createIntent, also telling whether an import replaced an intent (REST answers 200 then, not 201). */
export async function createOrReplaceIntent(
  deps: IntentDeps,
  input: CreateIntentInput,
): Promise<{ intent: IntentDetail; replaced: boolean }> {
  const { db, user } = deps;
  assertIntentUser(user);
  const data = parseOrThrow(createIntentInputSchema, input);

  let record: NewIntent;
  if (data.source === "form") {
    const instance = await intentInstance(db, user, data.instanceId);
    assertSupported(instance.workload, data.intentType, "intentType");
    record = newIntentFromForm(instance, data);
  } else {
    const text = data.source === "yaml" ? data.yaml : JSON.stringify(data.intent);
    const imported = importIntent(text, data.source);
    const named = instanceNamedBy(imported.intent);
    if (named && data.instanceId && named !== data.instanceId) {
      throw new DomainError(
        "invalid",
        `The intent names instance ${named} (${WORKLOAD_CONTEXT}), not ${data.instanceId}.`,
        "instanceId",
      );
    }
    const instance = await intentInstance(db, user, named ?? data.instanceId);
    assertSupported(
      instance.workload,
      imported.intent.userLabel,
      "userLabel",
      data.source === "yaml" ? yamlLineOf(text, ["userLabel"]) : undefined,
    );
    const externalId = imported.intent.id;
    // Unique per tenant (the instance's owner): another tenant's ids neither clash nor show through.
    const taken = await intentWithDocumentId(db, instance.ownerId, externalId);
    if (taken) {
      if (!data.replace) {
        throw duplicateId(externalId, `${taken.intentType} on instance ${taken.instance.releaseName}`);
      }
      return { intent: await replaceIntent(deps, taken, instance.id, imported), replaced: true };
    }
    const period = imported.intent.validityPeriod;
    record = {
      id: randomUUID(),
      externalId,
      instanceId: instance.id,
      ownerId: instance.ownerId,
      intent: boundToInstance(imported.intent, instance.id),
      secrets: imported.secrets,
      validFrom: period ? new Date(period.startTime) : null,
      validUntil: period ? new Date(period.endTime) : null,
    };
  }

  try {
    await db.$transaction((tx) => insertIntent(tx, record));
  } catch (error) {
    // Two uploads of the same YAML at once: the unique index decides.
    if (record.externalId && isUniqueViolation(error)) throw duplicateId(record.externalId);
    throw error;
  }
  log.info(
    {
      intent: record.id,
      externalId: record.externalId,
      intentType: record.intent.userLabel,
      instance: record.instanceId,
      source: data.source,
      secrets: Object.keys(record.secrets).length,
      by: user.username,
    },
    "intent created; first evaluation due",
  );
  return { intent: await detailOf(db, await loadIntent(db, user, record.id), nowOf(deps)), replaced: false };
}

// ---------------------------------------------------------------------------
// Actions

/** The normal form with another admin state (rows from before the normal form keep their body). */
function withAdminState(body: unknown, state: IntentAdminState): Prisma.InputJsonValue {
  const intent = normalFormOf(body);
  return (intent ? asJson({ ...intent, intentAdminState: state }) : body) as Prisma.InputJsonValue;
}

/**
 * start → ACTIVATED and evaluated now; suspend → DEACTIVATED (report
 * SUSPENDED); delete → gone from every list (report TERMINATED). Each
 * notifies the migration controller. Starting an active intent or suspending
 * a suspended one is a conflict; a deleted intent is not found.
 */
export async function intentAction(
  deps: IntentDeps,
  id: string,
  action: IntentActionName,
): Promise<IntentDetail> {
  const { db, user } = deps;
  assertIntentUser(user);
  const row = await loadIntent(db, user, id);
  const who = user.displayName || user.username;
  const label = row.externalId ?? row.id;
  if (action === "start" && row.adminState === "ACTIVATED") {
    throw new DomainError("conflict", `Intent ${label} is already active.`);
  }
  if (action === "suspend" && row.adminState === "DEACTIVATED") {
    throw new DomainError("conflict", `Intent ${label} is already suspended.`);
  }
  const previous = (await latestReports(db, [row.id])).get(row.id);
  const carried = previous
    ? {
        feasibility: previous.feasibility,
        infeasibilityReason: previous.infeasibilityReason,
        targetResults: storedTargetResults(previous.targetResults),
      }
    : null;

  const now = nowOf(deps);
  let data: Prisma.IntentUpdateManyMutationInput;
  let draft: IntentReportDraft;
  let notice: IntentAction;
  switch (action) {
    case "start":
      // lastFulfilment is cleared so that a first NOT_FULFILLED evaluation after
      // re-activation counts as a change and is announced again.
      data = { adminState: "ACTIVATED", body: withAdminState(row.body, "ACTIVATED") };
      draft = lifecycleReport("ACKNOWLEDGED", `intent activated by ${who}; evaluation pending`);
      notice = "activated";
      break;
    case "suspend":
      data = { adminState: "DEACTIVATED", body: withAdminState(row.body, "DEACTIVATED") };
      draft = lifecycleReport("SUSPENDED", `suspended by ${who}`, carried);
      notice = "deactivated";
      break;
    case "delete":
      // The external id is freed so the same YAML can be imported again; the
      // body keeps it for the record.
      data = {
        deletedAt: now,
        adminState: "DEACTIVATED",
        externalId: null,
        body: withAdminState(row.body, "DEACTIVATED"),
      };
      draft = lifecycleReport("TERMINATED", `deleted by ${who}`, carried);
      notice = "deleted";
      break;
  }

  await db.$transaction(async (tx) => {
    // Conditional on the state read above: of two concurrent clicks, one wins
    // and the other is told the intent changed under it.
    const { count } = await tx.intent.updateMany({
      where: { id: row.id, deletedAt: null, adminState: row.adminState },
      data,
    });
    if (count === 0) {
      throw new DomainError("conflict", `Intent ${label} changed meanwhile; reload and try again.`);
    }
    if (action === "start")
      await tx.intentSchedule.update({
        where: { intentId: row.id },
        data: { nextEvaluationAt: now, lastFulfilment: null },
      });
    await recordReport(tx, row.id, draft, now);
    await notify(tx, row.id, row.instanceId, notice);
  });
  log.info({ intent: row.id, instance: row.instanceId, action, by: user.username }, `intent ${notice}`);
  return detailOf(db, await loadIntent(db, user, row.id, { deleted: action === "delete" }), now);
}

// ---------------------------------------------------------------------------
// Change a target

/**
 * Gives one target a new value (and condition): checked like the form,
 * written into the normal form, evaluated again right away. The last
 * fulfilment stays, so the next report says whether the change fixed it.
 */
export async function changeIntentTarget(
  deps: IntentDeps,
  id: string,
  input: ChangeTargetInput,
): Promise<IntentDetail> {
  const { db, user } = deps;
  assertIntentUser(user);
  const change = parseOrThrow(changeTargetSchema, input);
  const row = await loadIntent(db, user, id);
  const intent = normalFormOf(row.body);
  const type = intentType(row.intentType);
  if (!intent || !type) {
    throw new DomainError(
      "conflict",
      "This intent was not stored in the normal form of a known intent type; its targets cannot be changed.",
    );
  }
  const matches = intent.intentExpectations.flatMap((expectation, e) =>
    expectation.expectationTargets
      .map((target, t) => ({ expectation, e, target, t }))
      .filter(
        (m) =>
          m.target.targetName === change.targetName &&
          (change.expectationId === undefined || expectation.expectationId === change.expectationId),
      ),
  );
  if (matches.length === 0) {
    const names = [
      ...new Set(intent.intentExpectations.flatMap((e) => e.expectationTargets.map((t) => t.targetName))),
    ];
    throw new DomainError(
      "invalid",
      change.expectationId !== undefined
        ? `Expectation ${change.expectationId} has no target "${change.targetName}".`
        : `The intent has no target "${change.targetName}" (its targets: ${names.join(", ")}).`,
      "targetName",
    );
  }
  if (matches.length > 1) {
    throw new DomainError(
      "invalid",
      `"${change.targetName}" is a target of expectations ${matches.map((m) => m.expectation.expectationId).join(", ")}: name the expectationId.`,
      "expectationId",
    );
  }
  const match = matches[0]!;
  const condition = change.targetCondition ?? match.target.targetCondition;
  const problem = checkTarget(
    type,
    { targetName: change.targetName, targetCondition: condition, targetValue: change.targetValue },
    { bounds: true },
  )[0];
  if (problem) throw new DomainError("invalid", problem.message, problem.field);
  const known = type.targets.find((t) => t.name === change.targetName)!;
  const value = targetValueFor(known, condition, change.targetValue)!;

  const updated: Intent = {
    ...intent,
    intentExpectations: intent.intentExpectations.map((expectation, e) =>
      e !== match.e
        ? expectation
        : {
            ...expectation,
            expectationTargets: expectation.expectationTargets.map((target, t) =>
              t !== match.t ? target : { ...target, targetCondition: condition, targetValueRange: value },
            ),
          },
    ),
  };
  const now = nowOf(deps);
  await db.$transaction(async (tx) => {
    const { count } = await tx.intent.updateMany({
      where: { id: row.id, deletedAt: null },
      // targetsChangedAt: until the evaluator judges the new value, the console says "re-evaluating".
      data: { body: asJson(updated), targetsChangedAt: now },
    });
    if (count === 0) throw new DomainError("not_found", "No such intent.");
    // Due now: the evaluator's next pass (within a second) judges the new value.
    await tx.intentSchedule.update({ where: { intentId: row.id }, data: { nextEvaluationAt: now } });
    await notify(tx, row.id, row.instanceId, "updated");
  });
  log.info(
    {
      intent: row.id,
      instance: row.instanceId,
      target: formatFieldPath(["intentExpectations", match.e, "expectationTargets", match.t]),
      targetName: change.targetName,
      condition,
      value,
      by: user.username,
    },
    "intent target changed; re-evaluation due",
  );
  return detailOf(db, await loadIntent(db, user, row.id), now);
}

// ---------------------------------------------------------------------------
// Templates

export interface IntentTemplateResult {
  intentType: string;
  /** Normal form, ready to edit and send back as `{source: "json", intent}`. */
  intent: Intent;
  /** The same as YAML, for the upload editor (`{source: "yaml", yaml}`). */
  yaml: string;
}

/**
 * A ready-to-edit intent for one of the caller's instances: the given type
 * (one its workload supports), else the first the workload declares.
 */
export async function intentTemplate(
  deps: IntentDeps,
  instanceId: string,
  typeName?: string,
): Promise<IntentTemplateResult> {
  const { db, user } = deps;
  assertIntentUser(user);
  const chosen =
    typeName === undefined ? undefined : parseOrThrow(intentTypeNameSchema, typeName, "intentType");
  const instance = await intentInstance(db, user, instanceId);
  // A template is for importing: only a type the instance's workload supports.
  const type = chosen ?? instance.workload.supportedIntents.find((t) => intentType(t) !== undefined);
  if (type === undefined) {
    throw new DomainError(
      "conflict",
      `This workload declares no supported intents: workload ${instance.workload.name} ${instance.workload.version} takes none.`,
      "instanceId",
    );
  }
  assertSupported(instance.workload, type, "intentType");
  const intent = templateIntent(instance, type);
  return { intentType: type, intent, yaml: intentToYaml(intent) };
}
