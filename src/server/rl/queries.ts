import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { CFDRL_AGENTS, CFDRL_OUTCOMES, type CfdrlAgent, type CfdrlOutcome } from "@/common/cfdrl";
import { PAGE_SIZES } from "@/common/pagination";
import { ALL_ROLES, hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { parseOrThrow } from "@/server/errors";
import { roleGuard } from "@/server/role-guards";
import { assertServiceUser, loadScoped } from "@/server/instances";

/**
 * What the console shows of CFDRL (issue 15): decisions (one instance's, or
 * across the caller's instances), each agent's status and loss curve, the
 * saved model versions, the evaluation lab's last run, and an instance's
 * reward and replicas over time. Decisions follow instance tenancy (a service
 * provider sees their instances', admins all); the agents, models and the
 * evaluation are the platform's and readable by every console role.
 */

export interface CfdrlQueryDeps {
  db: Db;
  user: SessionUser;
}

export const cfdrlAgentSchema = z.enum(CFDRL_AGENTS, { error: "agent is scaling or migration." });

const pageFields = {
  page: z.number({ error: "page must be a whole number." }).int().min(1).max(1_000_000).default(1),
  pageSize: z.literal(PAGE_SIZES, { error: `Use a page size of ${PAGE_SIZES.join(", ")}.` }).default(10),
  agent: cfdrlAgentSchema.optional(),
  outcome: z.enum(CFDRL_OUTCOMES, { error: `outcome is one of ${CFDRL_OUTCOMES.join(", ")}.` }).optional(),
};
export const cfdrlDecisionListSchema = z.strictObject(pageFields);
export type CfdrlDecisionListInput = z.input<typeof cfdrlDecisionListSchema>;

export const CFDRL_SERIES_MAX_POINTS = 1_000;
export const cfdrlSeriesSchema = z.strictObject({
  limit: z
    .number({ error: "limit must be a whole number." })
    .int()
    .min(1, { error: "limit must be at least 1." })
    .max(CFDRL_SERIES_MAX_POINTS, { error: `limit must be at most ${CFDRL_SERIES_MAX_POINTS}.` })
    .default(360),
});

/** One decision as the tables show it. */
export interface CfdrlDecisionView {
  id: string;
  instanceId: string;
  releaseName: string;
  shortId: string;
  agent: CfdrlAgent;
  decidedAt: Date;
  /** The observation as the agent saw it. */
  state: unknown;
  /** The observation in one line ("2 replicas · CPU 420/500 m · …"). */
  stateSummary: string;
  action: string;
  fromReplicas: number | null;
  toReplicas: number | null;
  targetCluster: string | null;
  reward: number;
  modelVersion: number | null;
  epsilon: number | null;
  outcome: CfdrlOutcome;
  /** Why it was dropped or failed (or what the MO answered). */
  outcomeReason: string | null;
  resolvedAt: Date | null;
}

export interface CfdrlDecisionPage {
  items: CfdrlDecisionView[];
  total: number;
  page: number;
  pageSize: number;
}

const num = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;
const round = (value: number) => (Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10);

/**
 * One line for an observation: what the scaling agent weighs (replicas, CPU
 * and RAM per pod against their targets, p95 latency against the SLO, request
 * rate), and the cluster for the migration agent. Unknown fields are left out.
 */
export function summariseCfdrlState(state: unknown): string {
  if (typeof state !== "object" || state === null || Array.isArray(state)) return "—";
  const s = state as Record<string, unknown>;
  const parts: string[] = [];
  const pair = (label: string, value: unknown, target: unknown, unit: string) => {
    const v = num(value);
    if (v === null) return;
    const t = num(target);
    parts.push(`${label} ${round(v)}${t === null ? "" : `/${round(t)}`}${unit}`);
  };
  const replicas = num(s.replicas);
  if (replicas !== null) parts.push(`${replicas} replica${replicas === 1 ? "" : "s"}`);
  pair("CPU", s.cpuMillicoresPerPod, s.cpuTargetMillicores, " m");
  pair("RAM", s.memoryMiBPerPod, s.memoryTargetMiB, " MiB");
  pair("p95", s.latencyP95Ms, s.latencySloMs, " ms");
  const rate = num(s.requestRate);
  if (rate !== null) parts.push(`${round(rate)} req/s`);
  if (typeof s.cluster === "string") parts.push(`on ${s.cluster}`);
  else if (typeof s.currentCluster === "string") parts.push(`on ${s.currentCluster}`);
  return parts.length > 0 ? parts.join(" · ") : "—";
}

const decisionSelect = {
  id: true,
  instanceId: true,
  agent: true,
  decidedAt: true,
  state: true,
  action: true,
  fromReplicas: true,
  toReplicas: true,
  targetCluster: true,
  reward: true,
  modelVersion: true,
  epsilon: true,
  outcome: true,
  outcomeReason: true,
  resolvedAt: true,
  instance: { select: { releaseName: true, shortId: true } },
} satisfies Prisma.CfdrlDecisionSelect;

type DecisionRow = Prisma.CfdrlDecisionGetPayload<{ select: typeof decisionSelect }>;

function decisionView(row: DecisionRow): CfdrlDecisionView {
  return {
    id: row.id.toString(),
    instanceId: row.instanceId,
    releaseName: row.instance.releaseName,
    shortId: row.instance.shortId,
    agent: row.agent,
    decidedAt: row.decidedAt,
    state: row.state,
    stateSummary: summariseCfdrlState(row.state),
    action: row.action,
    fromReplicas: row.fromReplicas,
    toReplicas: row.toReplicas,
    targetCluster: row.targetCluster,
    reward: row.reward,
    modelVersion: row.modelVersion,
    epsilon: row.epsilon,
    outcome: row.outcome,
    outcomeReason: row.outcomeReason,
    resolvedAt: row.resolvedAt,
  };
}

async function decisionPage(
  db: Db,
  where: Prisma.CfdrlDecisionWhereInput,
  input: z.output<typeof cfdrlDecisionListSchema>,
): Promise<CfdrlDecisionPage> {
  const filtered: Prisma.CfdrlDecisionWhereInput = {
    ...where,
    ...(input.agent && { agent: input.agent }),
    ...(input.outcome && { outcome: input.outcome }),
  };
  const [total, rows] = await Promise.all([
    db.cfdrlDecision.count({ where: filtered }),
    db.cfdrlDecision.findMany({
      where: filtered,
      // Newest first; the id breaks ties between decisions of the same instant.
      orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      select: decisionSelect,
    }),
  ]);
  return { items: rows.map(decisionView), total, page: input.page, pageSize: input.pageSize };
}

/** One instance's decisions, newest first (its owner and admins; another tenant's instance: not found). */
export async function instanceCfdrlDecisions(
  deps: CfdrlQueryDeps,
  instanceId: string,
  input: unknown = {},
): Promise<CfdrlDecisionPage> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, instanceId);
  const parsed = parseOrThrow(cfdrlDecisionListSchema, input ?? {});
  return decisionPage(deps.db, { instanceId: instance.id }, parsed);
}

const requireConsoleRole = roleGuard(ALL_ROLES, "CFDRL is shown to the console's roles only.");

/**
 * Decisions across the instances the caller may see, newest first (the
 * Orchestration page): admins every instance's, a service provider their
 * own; an infrastructure provider has no instances, so none.
 */
export async function cfdrlDecisions(deps: CfdrlQueryDeps, input: unknown = {}): Promise<CfdrlDecisionPage> {
  requireConsoleRole(deps.user);
  const parsed = parseOrThrow(cfdrlDecisionListSchema, input ?? {});
  const admin = hasRole(deps.user.roles, Role.NEMO_ADMIN);
  if (!admin && !hasRole(deps.user.roles, Role.SERVICE_PROVIDER))
    return { items: [], total: 0, page: parsed.page, pageSize: parsed.pageSize };
  return decisionPage(deps.db, admin ? {} : { instance: { ownerId: deps.user.id } }, parsed);
}

export interface CfdrlSeriesPoint {
  at: Date;
  reward: number;
  /** Replicas when the agent looked. */
  replicas: number | null;
  /** Replicas it asked for (the same for a keep). */
  targetReplicas: number | null;
  action: string;
  outcome: CfdrlOutcome;
}

/**
 * The scaling agent's reward and the instance's replicas over time, oldest
 * first: the last `limit` decisions of the instance.
 */
export async function instanceCfdrlSeries(
  deps: CfdrlQueryDeps,
  instanceId: string,
  input: unknown = {},
): Promise<{ instanceId: string; points: CfdrlSeriesPoint[] }> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, instanceId);
  const { limit } = parseOrThrow(cfdrlSeriesSchema, input ?? {});
  const rows = await deps.db.cfdrlDecision.findMany({
    where: { instanceId: instance.id, agent: "scaling" },
    orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
    take: limit,
    select: {
      decidedAt: true,
      reward: true,
      fromReplicas: true,
      toReplicas: true,
      action: true,
      outcome: true,
    },
  });
  return {
    instanceId: instance.id,
    points: rows.reverse().map((r) => ({
      at: r.decidedAt,
      reward: r.reward,
      replicas: r.fromReplicas,
      targetReplicas: r.toReplicas ?? r.fromReplicas,
      action: r.action,
      outcome: r.outcome,
    })),
  };
}

export interface CfdrlModelView {
  agent: CfdrlAgent;
  version: number;
  trainingSteps: number;
  epsilon: number;
  loss: number | null;
  active: boolean;
  createdBy: string | null;
  createdAt: Date;
}

/** A model version as the console shows it (no weights): the fields of `CfdrlModelView`. */
export const modelSelect = {
  agent: true,
  version: true,
  trainingSteps: true,
  epsilon: true,
  loss: true,
  active: true,
  createdBy: true,
  createdAt: true,
} satisfies Prisma.CfdrlModelSelect;

export const CFDRL_LOSS_POINTS = 200;

export interface CfdrlAgentStatus {
  agent: CfdrlAgent;
  /** The exploration rate now: the last training step's, else the active model's; null before either. */
  epsilon: number | null;
  /** Transitions in the persisted replay buffer. */
  bufferSize: number;
  activeModel: CfdrlModelView | null;
  /** Training steps so far: the last logged step, or the active model's count when higher. */
  trainingSteps: number;
  lastTrainedAt: Date | null;
  /** The loss curve, at most CFDRL_LOSS_POINTS points (each the mean of its slice of steps), oldest first. */
  lossCurve: { step: number; loss: number; epsilon: number }[];
  lastDecisionAt: Date | null;
}

async function lossCurve(db: Db, agent: CfdrlAgent) {
  // Averaged into equal slices in SQL: the table grows by one row per logged step, the chart needs 200.
  const rows = await db.$queryRaw<{ step: number; loss: number; epsilon: number }[]>`
    SELECT max(step)::int AS step, avg(loss)::float8 AS loss, avg(epsilon)::float8 AS epsilon
    FROM (
      SELECT step, loss, epsilon, ntile(${CFDRL_LOSS_POINTS}::int) OVER (ORDER BY step, id) AS slice
      FROM cfdrl_training_stats WHERE agent = ${agent}::"CfdrlAgentKind"
    ) sliced
    GROUP BY slice ORDER BY slice`;
  return rows.map((r) => ({ step: Number(r.step), loss: Number(r.loss), epsilon: Number(r.epsilon) }));
}

async function agentStatus(db: Db, agent: CfdrlAgent): Promise<CfdrlAgentStatus> {
  const [bufferSize, active, lastStat, curve, lastDecision] = await Promise.all([
    db.cfdrlTransition.count({ where: { agent } }),
    db.cfdrlModel.findFirst({ where: { agent, active: true }, select: modelSelect }),
    db.cfdrlTrainingStat.findFirst({
      where: { agent },
      orderBy: [{ step: "desc" }, { id: "desc" }],
      select: { step: true, epsilon: true, createdAt: true },
    }),
    lossCurve(db, agent),
    db.cfdrlDecision.findFirst({
      where: { agent },
      orderBy: { decidedAt: "desc" },
      select: { decidedAt: true },
    }),
  ]);
  return {
    agent,
    epsilon: lastStat?.epsilon ?? active?.epsilon ?? null,
    bufferSize,
    activeModel: active,
    trainingSteps: Math.max(lastStat?.step ?? 0, active?.trainingSteps ?? 0),
    lastTrainedAt: lastStat?.createdAt ?? null,
    lossCurve: curve,
    lastDecisionAt: lastDecision?.decidedAt ?? null,
  };
}

/** Each agent's status (every console role). */
export async function cfdrlStatus(deps: CfdrlQueryDeps): Promise<{ agents: CfdrlAgentStatus[] }> {
  requireConsoleRole(deps.user);
  return { agents: await Promise.all(CFDRL_AGENTS.map((agent) => agentStatus(deps.db, agent))) };
}

export const cfdrlModelListSchema = z.strictObject({ agent: cfdrlAgentSchema.optional() });

/** The saved model versions (newest first per agent), without their weights (every console role). */
export async function cfdrlModels(
  deps: CfdrlQueryDeps,
  input: unknown = {},
): Promise<{ items: CfdrlModelView[] }> {
  requireConsoleRole(deps.user);
  const { agent } = parseOrThrow(cfdrlModelListSchema, input ?? {});
  const items = await deps.db.cfdrlModel.findMany({
    where: agent ? { agent } : {},
    orderBy: [{ agent: "asc" }, { version: "desc" }],
    // A long-running agent saves many versions; the console lists the recent ones.
    take: 200,
    select: modelSelect,
  });
  return { items };
}

export interface CfdrlEvaluationView {
  id: number;
  createdAt: Date;
  /** The lab's results as `npm run rl:evaluate` wrote them (table per trace and policy, targets met). */
  results: unknown;
  /** The reward-and-replicas plot as a `data:image/png;base64,…` URL; null when the run stored none. */
  plotDataUrl: string | null;
}

/** The evaluation lab's last run, or null when it never ran here (every console role). */
export async function lastCfdrlEvaluation(deps: CfdrlQueryDeps): Promise<CfdrlEvaluationView | null> {
  requireConsoleRole(deps.user);
  const row = await deps.db.cfdrlEvaluation.findFirst({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  if (!row) return null;
  return {
    id: row.id,
    createdAt: row.createdAt,
    results: row.results,
    plotDataUrl: row.plotPng ? `data:image/png;base64,${Buffer.from(row.plotPng).toString("base64")}` : null,
  };
}
