import { createHash, randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCaller } from "@/server/api/root";
import { Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { db as processDb, type Db } from "@/server/db";
import {
  contextFor,
  makeCluster,
  makeInstance,
  makeUser,
  makeWorkload,
  uniq,
} from "@/server/testing/factories";
import { sessionCookie } from "@/server/testing/session-cookie";
import { makeRegistrationForm, simKubeconfig } from "@/server/testing/cluster-factories";
import { sealSecret } from "@/server/secrets";
import { dryRunPlacement } from "@/server/instances";
import { driverFor, INSTANCE_ID_LABEL } from "@/server/clusters";
import { createIntent } from "@/server/intents";
import { createWorkload, uploadChart } from "@/server/workloads";
import { createDataset, datasetStore } from "@/server/datasets";
import { resetServerEnvCache } from "@/server/env";

// Every destructive row builds a world with a dataset of spOwn's: more than the default per-user count.
process.env.DATASET_MAX_PER_USER = "100000";
resetServerEnvCache();
import { packChartDirectory } from "@/server/workloads/tar-writer";

/*
 * The access matrix: every tRPC procedure and every REST route × every kind
 * of caller, with the answer each must get. Both lists are read from the
 * code (the app router's procedures, the route files under src/app/api/v1),
 * so a procedure or route added without an entry here fails the first test.
 *
 * Callers, in this order in every row:
 *   anon        no session
 *   none        signed in, no role
 *   admin       NEMO admin, on the objects below
 *   infraOwn    infrastructure provider, on their own cluster
 *   infraOther  another infrastructure provider, on that same cluster
 *   spOwn       service provider, on their own workload / instance / intent
 *   spOther     another service provider, on those same objects
 *
 * Answers: "ok" = a success (2xx); otherwise the HTTP status (tRPC's code
 * as its HTTP status): "401" not signed in, "403" not the role, "404"
 * hidden (another tenant's object is not found), "409"/"422" a business
 * answer about the object's state. Inputs are valid, so "400" would be a
 * bug in this file; "500" is always a failure.
 */
type Answer = "ok" | "401" | "403" | "404" | "409" | "422";
const CALLERS = ["anon", "none", "admin", "infraOwn", "infraOther", "spOwn", "spOther"] as const;
type Caller = (typeof CALLERS)[number];

/** "401 403 ok ok 404 403 403" → one answer per caller, in CALLERS order. */
function row(answers: string): Record<Caller, Answer> {
  const parts = answers.trim().split(/\s+/);
  if (parts.length !== CALLERS.length) throw new Error(`row "${answers}" needs ${CALLERS.length} answers`);
  return Object.fromEntries(CALLERS.map((c, i) => [c, parts[i] as Answer])) as Record<Caller, Answer>;
}

/** The objects a row acts on: owned by `spOwn` / `infraOwn`. */
interface World {
  /** Joined, with the instance on it. */
  cluster: { id: string; name: string };
  /** Joined, nothing on it: may be deregistered. */
  emptyCluster: { id: string; name: string };
  otherCluster: { id: string; name: string };
  /** ACCEPTED, with the instance below. */
  workload: { id: number };
  /** PENDING: may still be changed or deleted. */
  pendingWorkload: { id: number };
  instance: { id: string };
  /** A bare Pod of the instance on its (simulated) cluster, for logs, events and live YAML. */
  pod: string;
  intent: { id: string };
  /** An open dead letter (admins replay or discard it). */
  failedMessage: { id: string };
  /** A notification of spOwn's (about the instance). */
  notification: { id: string };
  /** An accounting region with pricing data and no cluster in it (may be deleted). */
  region: { name: string };
  /** A dataset spOwn uploaded (its file in the store). */
  dataset: { id: string };
  /** spOwn's daily budget for the workload. */
  budget: { id: string };
}

interface Entry {
  /** tRPC input or REST { path params, json body, query }. */
  input?: (w: World) => unknown;
  /** Changes or removes its objects: each caller gets a fresh world. */
  destructive?: boolean;
  expect: Record<Caller, Answer>;
}

interface RestEntry extends Omit<Entry, "input"> {
  params?: (w: World) => Record<string, string>;
  json?: (w: World) => unknown;
  /** A multipart body (chart upload). */
  form?: (w: World) => FormData;
  query?: string;
  /** An event stream held open (a log follow): a 2xx answer's body is cancelled instead of read to its end. */
  stream?: boolean;
}

// Repeated rows, named for who may do what.
const SIGNED_IN = row("401 ok ok ok ok ok ok");
const PUBLIC = row("ok ok ok ok ok ok ok");
/** Service-provider areas (workloads, instances, intents) on a service provider's object. */
const SP_OBJECT = row("401 403 ok 403 403 ok 404");
/** Service-provider areas, a list or a creation (nothing of another's to hide). */
const SP_AREA = row("401 403 ok 403 403 ok ok");
/** Admin only, on a service provider's object. */
const ADMIN_ONLY = row("401 403 ok 403 403 403 403");
/** Resource Provisioning: infrastructure providers manage their own clusters; service providers may look. */
const CLUSTER_AREA = row("401 403 ok ok ok ok ok");
/** One cluster: another infrastructure provider's is hidden; service providers see every cluster they could be placed on. */
const CLUSTER_READ = row("401 403 ok ok 404 ok ok");
const CLUSTER_MANAGE = row("401 403 ok ok 404 403 403");
/** Orchestration (migrations): every role may look at what concerns them. */
const ORCHESTRATION_AREA = row("401 403 ok ok ok ok ok");
/** An instance's migrations: its owner, admins and the provider of the cluster it runs on. */
const ORCHESTRATION_INSTANCE = row("401 403 ok ok 404 ok 404");
/** Logs, events and live YAML of an instance: its owner, admins and the provider of the cluster it runs on. */
const INSPECT_INSTANCE = row("401 403 ok ok 404 ok 404");
/** A path no route serves: 404 JSON whoever asks (nothing behind it to protect). */
/** Archiving a workload that still has an instance: a business refusal for its owner and admins. */
const WORKLOAD_ARCHIVE = row("401 403 409 403 403 409 404");
const NO_ROUTE = row("404 404 404 404 404 404 404");
/** Retrying the world's DEPLOYED instance: only a FAILED one can be, a business refusal for its owner and admins. */
const INSTANCE_NOT_FAILED = row("401 403 409 403 403 409 404");
/** The caller's own notifications: every role has them. */
const OWN_NOTIFICATIONS = row("401 403 ok ok ok ok ok");
/** spOwn's notification: nobody else's to read or mark, admins included. */
const NOTIFICATION_OF_SP_OWN = row("401 403 404 404 404 ok 404");
/** Pricing tables (regions, green rewards, settings): every role reads them, they price everyone's bills. */
const PRICING_READ = row("401 403 ok ok ok ok ok");
const regionData = () => ({
  regionalCpuCosts: "1000",
  regionalMemoryCosts: "2000",
  regionalGpuCosts: "3000",
});
/** Datasets: every role provides its own (a list or an upload). */
const OWN_DATASETS = row("401 403 ok ok ok ok ok");
/** spOwn's dataset: its owner and admins; anyone else's is hidden. */
const DATASET_OF_SP_OWN = row("401 403 ok 404 404 ok 404");

/** CFDRL's agents, models and evaluation are the platform's: every console role reads them. */
const CFDRL_READ = row("401 403 ok ok ok ok ok");

const uniqueName = () => uniq("am").toLowerCase();

const TRPC: Record<string, Entry> = {
  "session.me": { expect: SIGNED_IN },
  "session.apiAccess": { expect: SIGNED_IN },

  "workload.list": { input: () => ({}), expect: SP_AREA },
  "workload.get": { input: (w) => ({ id: w.workload.id }), expect: SP_OBJECT },
  "workload.create": {
    input: () => ({ name: uniqueName(), version: "1.0.0", supportedIntents: [] }),
    expect: SP_AREA,
  },
  "workload.update": {
    input: (w) => ({ id: w.pendingWorkload.id, patch: { version: "1.0.1" } }),
    destructive: true,
    expect: SP_OBJECT,
  },
  // The shared workload has a live instance: archiving it is refused (409) to whoever may act on it.
  "workload.archive": { input: (w) => ({ id: w.workload.id }), expect: WORKLOAD_ARCHIVE },
  "workload.unarchive": { input: (w) => ({ id: w.workload.id }), expect: SP_OBJECT },
  "workload.setClusterScopedApproval": {
    input: (w) => ({ id: w.workload.id, approved: true }),
    destructive: true,
    expect: ADMIN_ONLY,
  },
  "workload.delete": { input: (w) => ({ id: w.pendingWorkload.id }), destructive: true, expect: SP_OBJECT },
  "workload.manifests": { input: (w) => ({ id: w.workload.id }), expect: SP_OBJECT },

  "instance.list": { input: () => ({}), expect: SP_AREA },
  "instance.get": { input: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "instance.create": {
    input: (w) => ({ workloadId: w.workload.id, releaseName: uniqueName().slice(0, 20) }),
    expect: SP_OBJECT,
  },
  "instance.delete": { input: (w) => ({ id: w.instance.id }), destructive: true, expect: SP_OBJECT },
  "instance.timeline": { input: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "instance.manifests": { input: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "instance.placement": { input: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "instance.dryRun": { input: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "instance.tree": { input: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "instanceInspection.podLogs": {
    input: (w) => ({ id: w.instance.id, pod: w.pod, tailLines: 10 }),
    expect: INSPECT_INSTANCE,
  },
  "instanceInspection.events": {
    input: (w) => ({ id: w.instance.id, kind: "Pod", name: w.pod }),
    expect: INSPECT_INSTANCE,
  },
  "instanceInspection.liveObject": {
    input: (w) => ({ id: w.instance.id, kind: "Pod", name: w.pod }),
    expect: INSPECT_INSTANCE,
  },
  "instance.changeOptions": { input: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "instance.retry": { input: (w) => ({ id: w.instance.id }), expect: INSTANCE_NOT_FAILED },
  // Re-rendered with an (empty) values override: an upgrade of the DEPLOYED instance.
  "instance.previewChange": {
    input: (w) => ({ id: w.instance.id, change: { valuesOverride: "" } }),
    expect: SP_OBJECT,
  },
  "instance.change": {
    input: (w) => ({ id: w.instance.id, change: { valuesOverride: "" } }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "instance.clusters": { expect: SP_AREA },
  "drift.forInstance": { input: (w) => ({ instanceId: w.instance.id }), expect: SP_OBJECT },
  // Re-applies the world's DEPLOYED instance to its simulated cluster.
  "drift.resync": { input: (w) => ({ instanceId: w.instance.id }), destructive: true, expect: SP_OBJECT },
  "cfdrl.settings": { input: (w) => ({ instanceId: w.instance.id }), expect: SP_OBJECT },
  // Switches on the shared instance's scaling: no loop runs here, and no other row reads it.
  "cfdrl.updateSettings": {
    input: (w) => ({ instanceId: w.instance.id, scalingEnabled: true, maxReplicas: 5 }),
    expect: SP_OBJECT,
  },
  "cfdrl.instanceDecisions": { input: (w) => ({ instanceId: w.instance.id }), expect: SP_OBJECT },
  "cfdrl.instanceSeries": { input: (w) => ({ instanceId: w.instance.id }), expect: SP_OBJECT },
  // Across the caller's instances: an infrastructure provider gets an empty page.
  "cfdrl.decisions": { input: () => ({}), expect: ORCHESTRATION_AREA },
  "cfdrl.status": { expect: CFDRL_READ },
  "cfdrl.models": { input: () => ({}), expect: CFDRL_READ },
  "cfdrl.evaluation": { expect: CFDRL_READ },
  // Activating the version that is already active: repeatable, changes nothing another row reads.
  "cfdrl.rollback": { input: () => ({ agent: "scaling", version: cfdrlVersion }), expect: ADMIN_ONLY },

  "intent.list": { input: () => ({}), expect: SP_AREA },
  "intent.types": { expect: SP_AREA },
  "intent.get": { input: (w) => ({ id: w.intent.id }), expect: SP_OBJECT },
  "intent.create": {
    input: (w) => ({
      source: "form",
      instanceId: w.instance.id,
      intentType: "Availability",
      targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 95 }],
    }),
    expect: SP_OBJECT,
  },
  "intent.action": {
    input: (w) => ({ id: w.intent.id, action: "suspend" }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "intent.changeTarget": {
    input: (w) => ({
      id: w.intent.id,
      targetName: "availability",
      targetCondition: "IS_GREATER_THAN",
      targetValue: 90,
    }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "intent.report": { input: (w) => ({ id: w.intent.id }), expect: SP_OBJECT },
  "intent.template": {
    input: (w) => ({ instanceId: w.instance.id, intentType: "Availability" }),
    expect: SP_OBJECT,
  },
  "intent.exportYaml": { input: (w) => ({ id: w.intent.id }), expect: SP_OBJECT },

  "cluster.list": { input: () => ({}), expect: CLUSTER_AREA },
  "cluster.get": { input: (w) => ({ id: w.cluster.id }), expect: CLUSTER_READ },
  "cluster.properties": { input: (w) => ({ id: w.cluster.id }), expect: CLUSTER_READ },
  "cluster.register": {
    input: () => makeRegistrationForm(uniqueName()),
    expect: row("401 403 ok ok ok 403 403"),
  },
  "cluster.deregister": {
    input: (w) => ({ id: w.emptyCluster.id }),
    destructive: true,
    expect: CLUSTER_MANAGE,
  },
  "cluster.metrics": { input: (w) => ({ clusterId: w.cluster.id, range: "hour" }), expect: CLUSTER_READ },
  "cluster.drain": { input: (w) => ({ id: w.emptyCluster.id }), destructive: true, expect: CLUSTER_MANAGE },
  "cluster.uncordon": {
    input: (w) => ({ id: w.emptyCluster.id }),
    destructive: true,
    expect: CLUSTER_MANAGE,
  },
  "cluster.drainStatus": { input: (w) => ({ id: w.cluster.id }), expect: CLUSTER_MANAGE },

  "migration.list": { input: () => ({}), expect: ORCHESTRATION_AREA },
  "migration.forInstance": { input: (w) => ({ instanceId: w.instance.id }), expect: ORCHESTRATION_INSTANCE },
  "migration.clusters": { expect: ORCHESTRATION_AREA },
  "migration.options": { input: (w) => ({ instanceId: w.instance.id }), expect: ADMIN_ONLY },
  "migration.request": {
    input: (w) => ({ instanceId: w.instance.id, targetCluster: w.otherCluster.name }),
    destructive: true,
    expect: ADMIN_ONLY,
  },

  "failedMessage.list": { input: () => ({}), expect: ADMIN_ONLY },

  "notification.list": { input: () => ({}), expect: OWN_NOTIFICATIONS },
  "notification.unreadCount": { expect: OWN_NOTIFICATIONS },
  "notification.markRead": { input: (w) => ({ id: w.notification.id }), expect: NOTIFICATION_OF_SP_OWN },
  "notification.markAllRead": { expect: OWN_NOTIFICATIONS },

  // The Accounting console's views: every role reads its own accounts (admins all of them).
  "accounting.accounts": { expect: OWN_DATASETS },
  "accounting.transactions": { input: () => ({}), expect: OWN_DATASETS },
  "accounting.series": { input: () => ({}), expect: OWN_DATASETS },
  "accounting.workloadBalances": { input: (w) => ({ ids: [w.workload.id] }), expect: OWN_DATASETS },
  "accounting.instanceCosts": { input: (w) => ({ instanceId: w.instance.id }), expect: INSPECT_INSTANCE },
  "accounting.costView": { input: () => ({}), expect: OWN_DATASETS },

  "dataset.list": { input: () => ({}), expect: OWN_DATASETS },
  "dataset.usage": { expect: OWN_DATASETS },
  "dataset.get": { input: (w) => ({ id: w.dataset.id }), expect: DATASET_OF_SP_OWN },
  "dataset.delete": { input: (w) => ({ id: w.dataset.id }), destructive: true, expect: DATASET_OF_SP_OWN },
  "failedMessage.get": { input: (w) => ({ id: w.failedMessage.id }), expect: ADMIN_ONLY },
  "failedMessage.replay": {
    input: (w) => ({ id: w.failedMessage.id }),
    destructive: true,
    expect: ADMIN_ONLY,
  },
  "failedMessage.discard": {
    input: (w) => ({ id: w.failedMessage.id }),
    destructive: true,
    expect: ADMIN_ONLY,
  },

  "accounting.regions": { expect: PRICING_READ },
  "accounting.region": { input: (w) => ({ name: w.region.name }), expect: PRICING_READ },
  "accounting.createRegion": { input: () => ({ name: uniqueName(), ...regionData() }), expect: ADMIN_ONLY },
  "accounting.updateRegion": {
    input: (w) => ({ name: w.region.name, data: regionData() }),
    expect: ADMIN_ONLY,
  },
  "accounting.deleteRegion": {
    input: (w) => ({ name: w.region.name }),
    destructive: true,
    expect: ADMIN_ONLY,
  },
  "accounting.greenRewards": { expect: PRICING_READ },
  // The default preset and the default price: the rows change nothing another suite bills with.
  "accounting.setGreenRewards": { input: () => ({ preset: "default" }), expect: ADMIN_ONLY },
  "accounting.settings": { expect: PRICING_READ },
  "accounting.updateSettings": { input: () => ({ chargePerGb: "10000000" }), expect: ADMIN_ONLY },
  "accounting.verifyLedger": { expect: ADMIN_ONLY },
  "accounting.lastVerification": { expect: ADMIN_ONLY },
  "accounting.billingRuns": { input: () => ({ limit: 5 }), expect: ADMIN_ONLY },
  // Idle capacity: an infrastructure provider's own cluster (another's is 404), admins all.
  "accounting.idleCapacity": { input: (w) => ({ clusterId: w.cluster.id }), expect: CLUSTER_MANAGE },
  "accounting.budgets": { expect: SP_AREA },
  "accounting.budget": { input: (w) => ({ id: w.budget.id }), expect: SP_OBJECT },
  // Each caller's own "all workloads, daily" budget (REST creates the monthly one).
  "accounting.createBudget": { input: () => ({ period: "DAY", amount: "100000000" }), expect: SP_AREA },
  "accounting.updateBudget": {
    input: (w) => ({ id: w.budget.id, data: { amount: "200000000" } }),
    expect: SP_OBJECT,
  },
  "accounting.deleteBudget": { input: (w) => ({ id: w.budget.id }), destructive: true, expect: SP_OBJECT },
};

const REST: Record<string, RestEntry> = {
  "GET /api/v1/docs/": { expect: PUBLIC },
  "GET /api/v1/docs/{asset}/": { params: () => ({ asset: "swagger-ui.css" }), expect: PUBLIC },
  "GET /api/v1/openapi.json/": { expect: PUBLIC },
  "GET /api/v1/me/": { expect: SIGNED_IN },

  "GET /api/v1/workload/": { expect: SP_AREA },
  "POST /api/v1/workload/": {
    json: () => ({ name: uniqueName(), version: "1.0.0", supportedIntents: [] }),
    expect: SP_AREA,
  },
  "GET /api/v1/workload/{id}/": { params: (w) => ({ id: String(w.workload.id) }), expect: SP_OBJECT },
  "PUT /api/v1/workload/{id}/": {
    params: (w) => ({ id: String(w.pendingWorkload.id) }),
    json: () => ({ name: uniqueName(), version: "2.0.0", supportedIntents: [] }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "PATCH /api/v1/workload/{id}/": {
    params: (w) => ({ id: String(w.pendingWorkload.id) }),
    json: () => ({ version: "1.0.2" }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "DELETE /api/v1/workload/{id}/": {
    params: (w) => ({ id: String(w.pendingWorkload.id) }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "PUT /api/v1/workload/{id}/cluster-scoped-approval/": {
    params: (w) => ({ id: String(w.workload.id) }),
    json: () => ({ approved: true }),
    destructive: true,
    expect: ADMIN_ONLY,
  },
  "POST /api/v1/workload/{id}/template/": {
    params: (w) => ({ id: String(w.workload.id) }),
    json: () => ({}),
    expect: SP_OBJECT,
  },
  "POST /api/v1/workload/upload/": {
    form: (w) => {
      const form = new FormData();
      form.set("workload_id", String(w.pendingWorkload.id));
      form.set(
        "file",
        new File([new Uint8Array(mychart)], "mychart-0.1.0.tgz", { type: "application/gzip" }),
      );
      return form;
    },
    destructive: true,
    expect: SP_OBJECT,
  },

  "GET /api/v1/instance/": { expect: SP_AREA },
  "POST /api/v1/instance/": {
    json: (w) => ({ workloadId: w.workload.id, releaseName: uniqueName().slice(0, 20) }),
    expect: SP_OBJECT,
  },
  "GET /api/v1/instance/{id}/": { params: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "DELETE /api/v1/instance/{id}/": {
    params: (w) => ({ id: w.instance.id }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "GET /api/v1/instance/{id}/manifests/": { params: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "PATCH /api/v1/instance/{id}/": {
    params: (w) => ({ id: w.instance.id }),
    json: () => ({ valuesOverride: "" }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "POST /api/v1/instance/{id}/retry/": {
    params: (w) => ({ id: w.instance.id }),
    expect: INSTANCE_NOT_FAILED,
  },
  "GET /api/v1/instance/{id}/timeline/": { params: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "GET /api/v1/instance/{id}/drift/": { params: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "POST /api/v1/instance/{id}/resync/": {
    params: (w) => ({ id: w.instance.id }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "GET /api/v1/instance/{id}/cfdrl/": { params: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "PUT /api/v1/instance/{id}/cfdrl/": {
    params: (w) => ({ id: w.instance.id }),
    json: () => ({ scalingEnabled: true, minReplicas: 1, maxReplicas: 5 }),
    expect: SP_OBJECT,
  },
  "GET /api/v1/cfdrl/decisions/": { expect: ORCHESTRATION_AREA },
  "GET /api/v1/cfdrl/status/": { expect: CFDRL_READ },
  "GET /api/v1/cfdrl/models/": { query: "?agent=scaling", expect: CFDRL_READ },
  "PUT /api/v1/cfdrl/models/{agent}/active/": {
    params: () => ({ agent: "scaling" }),
    json: () => ({ version: cfdrlVersion }),
    expect: ADMIN_ONLY,
  },
  "GET /api/v1/instance/{id}/tree/": { params: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "GET /api/v1/instance/{id}/pods/{pod}/logs/": {
    params: (w) => ({ id: w.instance.id, pod: w.pod }),
    query: "?tailLines=10",
    expect: INSPECT_INSTANCE,
  },
  "GET /api/v1/instance/{id}/pods/{pod}/logs/stream/": {
    params: (w) => ({ id: w.instance.id, pod: w.pod }),
    stream: true,
    expect: INSPECT_INSTANCE,
  },
  "GET /api/v1/instance/{id}/events/": { params: (w) => ({ id: w.instance.id }), expect: INSPECT_INSTANCE },
  "GET /api/v1/instance/{id}/objects/{kind}/{name}/": {
    params: (w) => ({ id: w.instance.id, kind: "Pod", name: w.pod }),
    expect: INSPECT_INSTANCE,
  },
  "GET /api/v1/instance/{id}/placement/": { params: (w) => ({ id: w.instance.id }), expect: SP_OBJECT },
  "POST /api/v1/instance/{id}/placement/dry-run/": {
    params: (w) => ({ id: w.instance.id }),
    expect: SP_OBJECT,
  },
  "GET /api/v1/instance/{id}/migrations/": {
    params: (w) => ({ id: w.instance.id }),
    expect: ORCHESTRATION_INSTANCE,
  },
  "GET /api/v1/instance/{id}/migration-options/": {
    params: (w) => ({ id: w.instance.id }),
    expect: ADMIN_ONLY,
  },
  "POST /api/v1/instance/{id}/migrate/": {
    params: (w) => ({ id: w.instance.id }),
    json: (w) => ({ targetCluster: w.otherCluster.name }),
    destructive: true,
    expect: ADMIN_ONLY,
  },

  "GET /api/v1/intent/": { expect: SP_AREA },
  "POST /api/v1/intent/": {
    json: (w) => ({
      instanceId: w.instance.id,
      intentType: "Availability",
      targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 95 }],
    }),
    expect: SP_OBJECT,
  },
  "GET /api/v1/intent/types/": { expect: SP_AREA },
  "POST /api/v1/intent/template/": {
    json: (w) => ({ instanceId: w.instance.id, intentType: "Availability" }),
    expect: SP_OBJECT,
  },
  "GET /api/v1/intent/{id}/": { params: (w) => ({ id: w.intent.id }), expect: SP_OBJECT },
  "GET /api/v1/intent/{id}/report/": { params: (w) => ({ id: w.intent.id }), expect: SP_OBJECT },
  "GET /api/v1/intent/{id}/yaml/": { params: (w) => ({ id: w.intent.id }), expect: SP_OBJECT },
  "PUT /api/v1/intent/{id}/action/": {
    params: (w) => ({ id: w.intent.id }),
    json: () => ({ action: "suspend" }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "PUT /api/v1/intent/{id}/target/": {
    params: (w) => ({ id: w.intent.id }),
    json: () => ({ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 90 }),
    destructive: true,
    expect: SP_OBJECT,
  },

  "GET /api/v1/cluster/": { expect: CLUSTER_AREA },
  "POST /api/v1/cluster/": {
    json: () => makeRegistrationForm(uniqueName()),
    expect: row("401 403 ok ok ok 403 403"),
  },
  "GET /api/v1/cluster/{id}/": { params: (w) => ({ id: w.cluster.id }), expect: CLUSTER_READ },
  "DELETE /api/v1/cluster/{id}/": {
    params: (w) => ({ id: w.emptyCluster.id }),
    destructive: true,
    expect: CLUSTER_MANAGE,
  },
  "POST /api/v1/cluster/{id}/drain/": {
    params: (w) => ({ id: w.emptyCluster.id }),
    destructive: true,
    expect: CLUSTER_MANAGE,
  },
  "GET /api/v1/cluster/{id}/drain/": { params: (w) => ({ id: w.cluster.id }), expect: CLUSTER_MANAGE },
  "POST /api/v1/cluster/{id}/uncordon/": {
    params: (w) => ({ id: w.emptyCluster.id }),
    destructive: true,
    expect: CLUSTER_MANAGE,
  },
  "POST /api/v1/workload/{id}/archive/": {
    params: (w) => ({ id: String(w.workload.id) }),
    expect: WORKLOAD_ARCHIVE,
  },
  "POST /api/v1/workload/{id}/unarchive/": {
    params: (w) => ({ id: String(w.workload.id) }),
    expect: SP_OBJECT,
  },
  "GET /api/v1/cluster/{id}/metrics/": {
    params: (w) => ({ id: w.cluster.id }),
    query: "?range=hour",
    expect: CLUSTER_READ,
  },

  "GET /api/v1/migration/": { expect: ORCHESTRATION_AREA },

  "GET /api/v1/failed-message/": { expect: ADMIN_ONLY },
  "GET /api/v1/notification/": { expect: OWN_NOTIFICATIONS },
  "POST /api/v1/notification/{id}/read/": {
    params: (w) => ({ id: w.notification.id }),
    expect: NOTIFICATION_OF_SP_OWN,
  },
  "GET /api/v1/dataset/": { expect: OWN_DATASETS },
  "POST /api/v1/dataset/upload/": {
    form: () => {
      const form = new FormData();
      form.set("type", "csv");
      form.set("file", new File([uniqueName()], "readings.csv", { type: "text/csv" }));
      return form;
    },
    expect: OWN_DATASETS,
  },
  "GET /api/v1/dataset/{id}/": { params: (w) => ({ id: w.dataset.id }), expect: DATASET_OF_SP_OWN },
  "GET /api/v1/dataset/{id}/download/": { params: (w) => ({ id: w.dataset.id }), expect: DATASET_OF_SP_OWN },
  "DELETE /api/v1/dataset/{id}/": {
    params: (w) => ({ id: w.dataset.id }),
    destructive: true,
    expect: DATASET_OF_SP_OWN,
  },
  "GET /api/v1/failed-message/{id}/": { params: (w) => ({ id: w.failedMessage.id }), expect: ADMIN_ONLY },
  "POST /api/v1/failed-message/{id}/replay/": {
    params: (w) => ({ id: w.failedMessage.id }),
    destructive: true,
    expect: ADMIN_ONLY,
  },
  "POST /api/v1/failed-message/{id}/discard/": {
    params: (w) => ({ id: w.failedMessage.id }),
    destructive: true,
    expect: ADMIN_ONLY,
  },

  "GET /api/v1/accounting/regions/": { expect: PRICING_READ },
  "POST /api/v1/accounting/regions/": {
    json: () => ({ name: uniqueName(), ...regionData() }),
    expect: ADMIN_ONLY,
  },
  "GET /api/v1/accounting/regions/{name}/": {
    params: (w) => ({ name: w.region.name }),
    expect: PRICING_READ,
  },
  "PUT /api/v1/accounting/regions/{name}/": {
    params: (w) => ({ name: w.region.name }),
    json: regionData,
    expect: ADMIN_ONLY,
  },
  "DELETE /api/v1/accounting/regions/{name}/": {
    params: (w) => ({ name: w.region.name }),
    destructive: true,
    expect: ADMIN_ONLY,
  },
  "GET /api/v1/accounting/green-rewards/": { expect: PRICING_READ },
  "PUT /api/v1/accounting/green-rewards/": { json: () => ({ preset: "default" }), expect: ADMIN_ONLY },
  "GET /api/v1/accounting/settings/": { expect: PRICING_READ },
  "PUT /api/v1/accounting/settings/": { json: () => ({ chargePerGb: "10000000" }), expect: ADMIN_ONLY },
  "GET /api/v1/accounting/billing-runs/": { query: "?limit=5", expect: ADMIN_ONLY },
  // Every infrastructure provider has idle capacity of their own (their clusters only); service providers none.
  "GET /api/v1/accounting/idle-capacity/": { query: "?periods=5", expect: row("401 403 ok ok ok 403 403") },
  "GET /api/v1/accounting/budgets/": { expect: SP_AREA },
  "POST /api/v1/accounting/budgets/": {
    json: () => ({ period: "MONTH", amount: "100000000" }),
    expect: SP_AREA,
  },
  "GET /api/v1/accounting/budgets/{id}/": { params: (w) => ({ id: w.budget.id }), expect: SP_OBJECT },
  "PUT /api/v1/accounting/budgets/{id}/": {
    params: (w) => ({ id: w.budget.id }),
    json: () => ({ amount: "300000000" }),
    expect: SP_OBJECT,
  },
  "DELETE /api/v1/accounting/budgets/{id}/": {
    params: (w) => ({ id: w.budget.id }),
    destructive: true,
    expect: SP_OBJECT,
  },
  "POST /api/v1/accounting/ledger/verify/": { expect: ADMIN_ONLY },
  "GET /api/v1/accounting/ledger/verify/": { expect: ADMIN_ONLY },
  /** The caller's own transactions: every provider has some (or none), admins all. */
  "GET /api/v1/accounting/transactions/export/": {
    query: "?format=jsonl&rule=registration",
    expect: row("401 403 ok ok ok ok ok"),
  },

  // The catch-all: every other /api/v1 path.
  "GET /api/v1/{rest}/": { params: () => ({ rest: "no/such/route" }), expect: NO_ROUTE },
  "POST /api/v1/{rest}/": { params: () => ({ rest: "no/such/route" }), json: () => ({}), expect: NO_ROUTE },
  "PUT /api/v1/{rest}/": { params: () => ({ rest: "no/such/route" }), json: () => ({}), expect: NO_ROUTE },
  "PATCH /api/v1/{rest}/": { params: () => ({ rest: "no/such/route" }), json: () => ({}), expect: NO_ROUTE },
  "DELETE /api/v1/{rest}/": { params: () => ({ rest: "no/such/route" }), expect: NO_ROUTE },
};

// ---------------------------------------------------------------------------

const BASE = "http://localhost:3999";
const MYCHART = path.resolve("src/server/charts/conformance-data/helm/create/mychart");
const APP_API = path.resolve("src/app/api/v1");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

let db: Db;
const users = {} as Record<Exclude<Caller, "anon">, SessionUser>;
const cookies = new Map<string, string>();
let shared: World;
let chartWorkload: { id: number };
/** A saved version of the scaling agent's model, active: the rollback rows activate it again. */
let cfdrlVersion = 1;

/** A joined simulated cluster of `owner`'s, its kubeconfig sealed as registration seals it. */
async function joinedCluster(owner: SessionUser) {
  const name = uniqueName();
  const cluster = await makeCluster(db, owner, name);
  const sealed = sealSecret(simKubeconfig(name));
  return db.cluster.update({
    where: { id: cluster.id },
    data: {
      status: "OK",
      managedApi: `sim://${name}`,
      kubeconfigCipher: sealed.cipher,
      kubeconfigSha256: sealed.contentId,
    },
  });
}

let firstWorld = true;
let previousWorldBudget: string | null = null;

async function makeWorld(): Promise<World> {
  const cluster = await joinedCluster(users.infraOwn);
  const emptyCluster = await joinedCluster(users.infraOwn);
  const otherCluster = await joinedCluster(users.infraOther);
  // Instances are made of an ACCEPTED workload (one with a chart, shared); a PENDING one is what can still change.
  const workload = chartWorkload;
  const pendingWorkload = await makeWorkload(db, users.spOwn);
  const instance = await makeInstance(db, users.spOwn, workload.id, cluster.id);
  // The decision the orchestrator stores when it places an instance.
  const decision = await dryRunPlacement({ db, user: users.admin }, instance.id);
  await db.workloadInstance.update({
    where: { id: instance.id },
    data: { status: "DEPLOYED", placement: { decision: JSON.parse(JSON.stringify(decision)) as object } },
  });
  // The instance's pod on its cluster (what the orchestrator's apply would have put there).
  const pod = "web";
  await driverFor(db, await db.cluster.findUniqueOrThrow({ where: { id: cluster.id } })).apply(
    instance.namespace,
    [
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: pod },
        spec: { containers: [{ name: "web", image: "registry.example/web:1.0" }] },
      },
    ],
    { labels: { [INSTANCE_ID_LABEL]: instance.id } },
  );
  const intent = await createIntent(
    { db, user: users.spOwn },
    {
      source: "form",
      instanceId: instance.id,
      intentType: "Availability",
      targets: [{ targetName: "availability", targetCondition: "IS_GREATER_THAN", targetValue: 95 }],
    },
  );
  const deadLetter = await db.deadLetter.create({
    data: { queue: `${uniqueName()}.q`, routingKey: "k", payload: "{}", error: "e", attempts: 5 },
  });
  const failedMessage = { id: `dead-letter-${deadLetter.id}` };
  const note = await db.notification.create({
    data: {
      userId: users.spOwn.id,
      kind: "INSTANCE_FAILED",
      title: "Instance failed",
      message: "access matrix",
      subjectType: "instance",
      subjectId: instance.id,
      link: `/instances/${instance.id}`,
      sourceKey: `access-matrix:${uniqueName()}`,
    },
  });
  const notification = { id: note.id.toString() };
  const region = await db.region.create({
    data: { name: uniqueName(), regionalCpuCosts: 1n, regionalMemoryCosts: 2n, regionalGpuCosts: 3n },
    select: { name: true },
  });
  const dataset = await makeDataset(users.spOwn);
  // A workload of its own per world, so a destructive entry's deletion leaves the shared world's budget alone;
  // the previous destructive world's budget goes (a provider may hold at most MAX_BUDGETS_PER_OWNER).
  if (previousWorldBudget) await db.budget.deleteMany({ where: { id: previousWorldBudget } });
  const budgeted = await db.workload.create({
    data: { name: uniqueName(), version: "1.0.0", ownerId: users.spOwn.id },
    select: { id: true },
  });
  const budget = await db.budget.create({
    data: { ownerId: users.spOwn.id, workloadId: budgeted.id, period: "DAY", amount: 100_000_000n },
    select: { id: true },
  });
  // The first world is the shared one: its budget stays.
  previousWorldBudget = firstWorld ? null : budget.id;
  firstWorld = false;
  return {
    cluster,
    emptyCluster,
    otherCluster,
    workload,
    pendingWorkload,
    instance,
    pod,
    intent,
    failedMessage,
    notification,
    dataset,
    region,
    budget,
  };
}

/** The scaling agent's active model version, saved here when this database has none. */
async function cfdrlModelVersion(): Promise<number> {
  const active = await db.cfdrlModel.findFirst({ where: { agent: "scaling", active: true } });
  if (active) return active.version;
  const last = await db.cfdrlModel.findFirst({ where: { agent: "scaling" }, orderBy: { version: "desc" } });
  const saved = await db.cfdrlModel.create({
    data: {
      agent: "scaling",
      version: (last?.version ?? 0) + 1,
      trainingSteps: 0,
      architecture: { layers: [] },
      weights: new Uint8Array(0),
      epsilon: 1,
      active: true,
      createdBy: "access-matrix",
    },
  });
  return saved.version;
}

/** A dataset of `owner`'s, uploaded as the REST route does (spooled, stored, recorded). */
async function makeDataset(owner: SessionUser): Promise<{ id: string }> {
  const store = datasetStore();
  await mkdir(store.incomingDir(), { recursive: true });
  const content = `access matrix ${uniqueName()}`;
  const spool = path.join(store.incomingDir(), `${randomUUID()}.part`);
  await writeFile(spool, content);
  return createDataset(
    { db, user: owner },
    {
      fields: { type: "csv" },
      file: {
        path: spool,
        sizeBytes: Buffer.byteLength(content),
        sha256: createHash("sha256").update(content).digest("hex"),
        fileName: "readings.csv",
      },
    },
  );
}

function userOf(caller: Caller): SessionUser | null {
  return caller === "anon" ? null : users[caller];
}

/** A tRPC error as the HTTP status the endpoint would answer (with the message where it is not about access). */
function trpcAnswer(error: unknown): string {
  if (!(error instanceof TRPCError)) return `500 ${String(error)}`;
  const status = getHTTPStatusCodeFromError(error);
  return [401, 403, 404, 409, 422].includes(status)
    ? String(status)
    : `${status} ${error.message.slice(0, 200)}`;
}

function restAnswer(status: number, body: string): string {
  if (status < 300) return "ok";
  return [401, 403, 404, 409, 422].includes(status) ? String(status) : `${status} ${body.slice(0, 200)}`;
}

/** Route files → "METHOD /api/v1/…/" with the handler each exports. */
async function restRoutes(): Promise<Map<string, Handler>> {
  const routes = new Map<string, Handler>();
  const files = readdirSync(APP_API, { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith("route.ts"),
  );
  for (const file of files) {
    const dir =
      path.dirname(file) === "." ? "" : `${path.dirname(file).replace(/\[(?:\.\.\.)?(\w+)\]/g, "{$1}")}/`;
    const mod = (await import(path.join(APP_API, file))) as Partial<Record<string, Handler>>;
    for (const method of METHODS) {
      const handler = mod[method];
      if (handler) routes.set(`${method} /api/v1/${dir}`, handler);
    }
  }
  return routes;
}

let routes: Map<string, Handler>;
const mychart = await packChartDirectory(MYCHART);
const counts = { calls: 0, byAnswer: new Map<string, number>() };

beforeAll(async () => {
  db = processDb();
  users.none = await makeUser(db, []);
  users.admin = await makeUser(db, [Role.NEMO_ADMIN]);
  users.infraOwn = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  users.infraOther = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
  users.spOwn = await makeUser(db, [Role.SERVICE_PROVIDER]);
  users.spOther = await makeUser(db, [Role.SERVICE_PROVIDER]);
  for (const user of Object.values(users)) {
    cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  }
  chartWorkload = await createWorkload(
    { db, user: users.spOwn },
    { name: uniqueName(), version: "1.0.0", supportedIntents: ["Availability"] },
  );
  await uploadChart({ db, user: users.spOwn }, chartWorkload.id, mychart);
  shared = await makeWorld();
  cfdrlVersion = await cfdrlModelVersion();
  routes = await restRoutes();
});

afterAll(() => {
  const answers = [...counts.byAnswer.entries()].map(([k, v]) => `${k}: ${v}`).join(", ");
  console.log(
    `access matrix: ${Object.keys(TRPC).length} procedures, ${Object.keys(REST).length} routes × ${CALLERS.length} callers = ${counts.calls} calls (${answers})`,
  );
});

/** One line per row, in CALLERS order, so a failure shows which caller got what. */
function asRow(answers: Partial<Record<Caller, string>>): string {
  return CALLERS.map((c) => `${c}=${answers[c] ?? "?"}`).join("  ");
}

function tally(answer: string): void {
  counts.calls += 1;
  counts.byAnswer.set(answer, (counts.byAnswer.get(answer) ?? 0) + 1);
}

describe("access matrix", () => {
  it("has an entry for every tRPC procedure and every REST route, and none for what does not exist", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(Object.keys(TRPC).sort()).toEqual(procedures);
    expect(Object.keys(REST).sort()).toEqual([...routes.keys()].sort());
  });

  it.each(Object.keys(TRPC))("tRPC %s answers each caller as the matrix says", async (name) => {
    const entry = TRPC[name]!;
    const found: Partial<Record<Caller, string>> = {};
    for (const caller of CALLERS) {
      const world = entry.destructive ? await makeWorld() : shared;
      const procedure = name
        .split(".")
        .reduce<unknown>(
          (node, key) => (node as Record<string, unknown>)[key],
          createCaller(contextFor(db, userOf(caller))),
        ) as (input: unknown) => Promise<unknown>;
      let answer: string;
      try {
        await procedure(entry.input?.(world));
        answer = "ok";
      } catch (error) {
        answer = trpcAnswer(error);
      }
      tally(answer);
      found[caller] = answer;
    }
    expect(asRow(found)).toBe(asRow(entry.expect));
  });

  it.each(Object.keys(REST))("REST %s answers each caller as the matrix says", async (name) => {
    const entry = REST[name]!;
    const handler = routes.get(name)!;
    const [method, template] = name.split(" ") as [string, string];
    const found: Partial<Record<Caller, string>> = {};
    for (const caller of CALLERS) {
      const world = entry.destructive ? await makeWorld() : shared;
      const params = entry.params?.(world) ?? {};
      const target = template.replace(/\{(\w+)\}/g, (_, key: string) => params[key] ?? "");
      const headers = new Headers({ origin: BASE });
      const user = userOf(caller);
      if (user) headers.set("cookie", cookies.get(user.id)!);
      const json = entry.json?.(world);
      if (json !== undefined) headers.set("content-type", "application/json");
      const body = entry.form ? entry.form(world) : json === undefined ? undefined : JSON.stringify(json);
      const response = await handler(
        new Request(`${BASE}${target}${entry.query ?? ""}`, { method, headers, body }),
        { params: Promise.resolve(params) },
      );
      const stream = entry.stream === true && response.ok;
      if (stream) await response.body?.cancel();
      const answer = restAnswer(response.status, stream ? "" : await response.text());
      tally(answer);
      found[caller] = answer;
    }
    expect(asRow(found)).toBe(asRow(entry.expect));
  });
});
