/**
 * The migration comparison of the evaluation lab: one instance over a day of the bursty trace on
 * the five demo clusters, scaled by the lab's DQN, with and without the migration agent.
 *
 * Each cluster carries other tenants' load (seeded per cluster and seed: a base level, noise and
 * busy spells shaped like the bursty trace's flash crowds). A pod on a cluster at load L gets
 * min(1, (1 − L) / 0.5) of its CPU limit (contention above 50 %), through the environment's
 * `cpuShareAt`, so a busy cluster raises per-pod CPU and latency exactly as the load model does
 * for a smaller pod. Every demo cluster is eligible (the lab's instance has no intent targets).
 * The migration agent decides every 10 minutes; a move switches the cluster at once (the source
 * serves until the restored copy is ready, as in the migration protocol) and costs `move` in the
 * migration reward. Trained on the training seeds only.
 */
import { DEMO_CONTINUUM_SPECS } from "@/server/clusters";
import { DqnAgent } from "./dqn";
import { ScalingEnvironment } from "./environment";
import { DEFAULT_LAB_CONFIG, dqnPolicy, type LabConfig, trainDqn } from "./lab";
import {
  allowedMigrationActions,
  DEFAULT_MIGRATION_REWARD_WEIGHTS,
  migrationActionTarget,
  migrationDqnConfig,
  type MigrationObservation,
  migrationFeatures,
  migrationReward,
} from "./migration-model";
import { type ScalingPolicy } from "./policies";
import { createRng } from "./rng";
import { flashCrowds, generateTrace, type LoadTrace, TRACE_STEP_MS } from "./traces";

export const MIGRATION_PERIOD_MINUTES = 10;

export interface MigrationLabConfig {
  trainingSeeds: number[];
  evaluationSeeds: number[];
  minutes: number;
  /** Migration decisions the agent trains on. */
  decisions: number;
  seed: number;
}

export const DEFAULT_MIGRATION_LAB_CONFIG: MigrationLabConfig = {
  trainingSeeds: DEFAULT_LAB_CONFIG.trainingSeeds,
  evaluationSeeds: DEFAULT_LAB_CONFIG.evaluationSeeds,
  minutes: DEFAULT_LAB_CONFIG.minutes,
  decisions: 3_000,
  seed: 1,
};

interface ClusterModel {
  name: string;
  availabilityPct: number;
  greenEnergyPct: number;
  load: number[];
}

/** Other tenants' CPU load (0..0.98) per minute of each demo cluster, for a seed. */
export function clusterLoads(seed: number, minutes: number): ClusterModel[] {
  return DEMO_CONTINUUM_SPECS.map((spec, index) => {
    const rng = createRng(seed, 500 + index);
    const base = 0.2 + rng.next() * 0.45;
    const crowds = flashCrowds(seed * 31 + index + 7, minutes);
    const load: number[] = [];
    let noise = 0;
    for (let m = 0; m < minutes; m++) {
      noise = 0.95 * noise + 0.03 * (rng.next() * 2 - 1);
      let busy = 0;
      for (const c of crowds) {
        const since = m - c.startMinute;
        if (since >= 0 && since < c.decayMinutes * 3)
          busy = Math.max(busy, 0.35 * Math.exp(-since / (c.decayMinutes * 1.5)));
      }
      load.push(Math.min(0.98, Math.max(0, base + noise + busy)));
    }
    return {
      name: spec.name,
      availabilityPct: spec.availabilityPct,
      greenEnergyPct: spec.greenEnergyPct,
      load,
    };
  });
}

/** The CPU share of its limit a pod gets on a cluster at `load`. */
export function cpuShareUnderLoad(load: number): number {
  return Math.min(1, Math.max(0.05, (1 - load) / 0.5));
}

interface DayOutcome {
  migrationReward: number;
  scalingReward: number;
  sloViolationRate: number;
  migrations: number;
  decisions: number;
}

type Chooser = (o: MigrationObservation) => number | null;

function runDay(
  seed: number,
  trace: LoadTrace,
  clusters: ClusterModel[],
  startCluster: string,
  scaling: ScalingPolicy,
  choose: Chooser,
  window: { startMinute: number; minutes: number },
  learn?: (t: { state: Float32Array; action: number; reward: number; nextState: Float32Array }) => void,
): DayOutcome {
  const env = new ScalingEnvironment({ initialReplicas: DEFAULT_LAB_CONFIG.initialReplicas });
  let current = startCluster;
  const minuteOf = (timeMs: number) =>
    Math.min(trace.rates.length - 1, Math.max(0, Math.floor((timeMs - trace.startMs) / TRACE_STEP_MS)));
  const clusterOf = (name: string) => clusters.find((c) => c.name === name)!;
  env.cpuShareAt = (timeMs) => cpuShareUnderLoad(clusterOf(current).load[minuteOf(timeMs)] ?? 0);
  let observation = env.reset(seed, trace, window);
  const view = (minute: number): MigrationObservation => ({
    instance: observation,
    currentCluster: current,
    clusters: clusters.map((c) => ({
      name: c.name,
      load: c.load[Math.min(c.load.length - 1, minute)] ?? 0,
      availabilityPct: c.availabilityPct,
      greenEnergyPct: c.greenEnergyPct,
      eligible: true,
    })),
  });
  const out: DayOutcome = {
    migrationReward: 0,
    scalingReward: 0,
    sloViolationRate: 0,
    migrations: 0,
    decisions: 0,
  };
  let minutes = 0;
  let minute = window.startMinute;
  for (;;) {
    const before = view(minute);
    const action = choose(before);
    const target = action === null ? null : migrationActionTarget(before, action);
    const moved = target !== null && target !== current;
    if (moved) {
      current = target;
      out.migrations += 1;
    }
    let decisionReward = 0;
    let steps = 0;
    let done = false;
    for (let k = 0; k < MIGRATION_PERIOD_MINUTES && !done; k++) {
      const step = env.step(scaling(observation));
      observation = step.observation;
      minute += 1;
      steps += 1;
      minutes += 1;
      out.scalingReward += step.reward;
      out.sloViolationRate += step.sloViolation;
      decisionReward += migrationReward(view(minute), false);
      done = step.done;
    }
    // The move cost is charged once per decision that moved, not diluted over its minutes.
    const reward = decisionReward / steps - (moved ? DEFAULT_MIGRATION_REWARD_WEIGHTS.move : 0);
    out.migrationReward += reward;
    out.decisions += 1;
    if (learn && action !== null)
      learn({ state: migrationFeatures(before), action, reward, nextState: migrationFeatures(view(minute)) });
    if (done) break;
  }
  out.scalingReward /= minutes;
  out.sloViolationRate /= minutes;
  out.migrationReward /= out.decisions;
  return out;
}

export interface MigrationComparison {
  config: MigrationLabConfig;
  /** Mean over evaluation seeds × start clusters. */
  without: { migrationReward: number; scalingReward: number; sloViolationRate: number; migrations: number };
  with: { migrationReward: number; scalingReward: number; sloViolationRate: number; migrations: number };
  /** Relative change of the migration reward, (with − without) / |without|. */
  rewardChange: number;
  perStartCluster: Array<{ cluster: string; without: number; with: number; migrations: number }>;
  trainingDecisions: number;
}

/** `scalingAgent`: the lab's bursty DQN when the caller has it (else trained here, identically). */
export function runMigrationComparison(
  input: Partial<MigrationLabConfig> = {},
  scalingAgent?: DqnAgent,
): MigrationComparison {
  const config: MigrationLabConfig = { ...DEFAULT_MIGRATION_LAB_CONFIG, ...input };
  const labConfig: LabConfig = {
    ...DEFAULT_LAB_CONFIG,
    trainingSeeds: config.trainingSeeds,
    evaluationSeeds: config.evaluationSeeds,
    minutes: config.minutes,
  };
  const training = new Map(
    config.trainingSeeds.map((s) => [s, generateTrace("bursty", s, { minutes: config.minutes })]),
  );
  // The same scaling agent as the lab's bursty row (same config and seed → same weights).
  const scaling = dqnPolicy(scalingAgent ?? trainDqn(labConfig, "bursty", training).agent);

  const agent = new DqnAgent(
    migrationDqnConfig({
      seed: config.seed,
      epsilonDecaySteps: Math.round(config.decisions * 0.6),
      bufferCapacity: Math.max(1_000, config.decisions),
    }),
  );
  const rng = createRng(config.seed, 900);
  const names = DEMO_CONTINUUM_SPECS.map((s) => s.name);
  let decisions = 0;
  const episodeMinutes = Math.min(config.minutes, 480);
  while (decisions < config.decisions) {
    const seed = config.trainingSeeds[rng.int(config.trainingSeeds.length)]!;
    const trace = training.get(seed)!;
    const startMinute = rng.int(Math.max(1, trace.rates.length - episodeMinutes + 1));
    runDay(
      seed,
      trace,
      clusterLoads(seed, config.minutes),
      names[rng.int(names.length)]!,
      scaling,
      (o) =>
        decisions < config.decisions
          ? agent.act(migrationFeatures(o), { allowed: allowedMigrationActions(o) })
          : 0,
      { startMinute, minutes: episodeMinutes },
      (t) => {
        if (decisions >= config.decisions) return;
        agent.remember({ ...t, done: false });
        agent.trainStep();
        decisions += 1;
      },
    );
  }

  const greedy: Chooser = (o) =>
    agent.act(migrationFeatures(o), { greedy: true, allowed: allowedMigrationActions(o) });
  const stay: Chooser = () => null;
  const sums = {
    without: { migrationReward: 0, scalingReward: 0, sloViolationRate: 0, migrations: 0 },
    with: { migrationReward: 0, scalingReward: 0, sloViolationRate: 0, migrations: 0 },
  };
  const perStart = new Map(names.map((n) => [n, { cluster: n, without: 0, with: 0, migrations: 0 }]));
  let runs = 0;
  for (const seed of config.evaluationSeeds) {
    const trace = generateTrace("bursty", seed, { minutes: config.minutes });
    const loads = clusterLoads(seed, config.minutes);
    for (const start of names) {
      const window = { startMinute: 0, minutes: config.minutes };
      const a = runDay(seed, trace, loads, start, scaling, stay, window);
      const b = runDay(seed, trace, loads, start, scaling, greedy, window);
      for (const [key, d] of [
        ["without", a],
        ["with", b],
      ] as const) {
        sums[key].migrationReward += d.migrationReward;
        sums[key].scalingReward += d.scalingReward;
        sums[key].sloViolationRate += d.sloViolationRate;
        sums[key].migrations += d.migrations;
      }
      const row = perStart.get(start)!;
      row.without += a.migrationReward / config.evaluationSeeds.length;
      row.with += b.migrationReward / config.evaluationSeeds.length;
      row.migrations += b.migrations / config.evaluationSeeds.length;
      runs += 1;
    }
  }
  const mean = (s: typeof sums.with) => ({
    migrationReward: s.migrationReward / runs,
    scalingReward: s.scalingReward / runs,
    sloViolationRate: s.sloViolationRate / runs,
    migrations: s.migrations / runs,
  });
  const without = mean(sums.without);
  const withAgent = mean(sums.with);
  return {
    config,
    without,
    with: withAgent,
    rewardChange: (withAgent.migrationReward - without.migrationReward) / Math.abs(without.migrationReward),
    perStartCluster: [...perStart.values()],
    trainingDecisions: decisions,
  };
}

export function formatMigrationComparison(c: MigrationComparison): string {
  const f = (v: number) => v.toFixed(3);
  const lines = [
    `Migration agent, a day of the bursty trace on the ${DEMO_CONTINUUM_SPECS.length} demo clusters ` +
      `(${c.config.evaluationSeeds.length} seeds × every start cluster; trained on ${c.trainingDecisions} decisions):`,
    `  without: migration reward ${f(c.without.migrationReward)}/decision, scaling reward ${f(c.without.scalingReward)}, ` +
      `SLO violations ${(c.without.sloViolationRate * 100).toFixed(2)} %`,
    `  with:    migration reward ${f(c.with.migrationReward)}/decision, scaling reward ${f(c.with.scalingReward)}, ` +
      `SLO violations ${(c.with.sloViolationRate * 100).toFixed(2)} %, ${c.with.migrations.toFixed(1)} migrations/day`,
    `  reward change ${(c.rewardChange * 100).toFixed(1)} % (reference: −11.2 → about −10, +11 %)`,
    ...c.perStartCluster.map(
      (r) => `  from ${r.cluster}: ${f(r.without)} → ${f(r.with)} (${r.migrations.toFixed(1)} migrations)`,
    ),
  ];
  return lines.join("\n");
}
