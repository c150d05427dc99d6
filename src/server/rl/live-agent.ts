/**
 * One agent of the live loop: its DqnAgent loaded from the active model
 * version (a fresh network under the configured seed when none was saved),
 * its replay buffer refilled from `cfdrl_transitions`, and what the loop does
 * with it between decisions — remember a transition (memory and database),
 * train, record the loss curve, save a version every N steps. A restart
 * loses nothing but the Adam moments: weights, steps, epsilon (it follows
 * the transitions remembered) and the buffer come back from the database.
 */
import type { CfdrlAgentKind } from "@/generated/prisma/client";
import { assertLeaderFence, type Db, type LeaderFence } from "@/server/db";
import type { Logger } from "@/server/logger";
import { DqnAgent, type DqnConfig } from "./dqn";
import type { Transition } from "./replay-buffer";
import {
  activeModelVersion,
  loadActiveModel,
  PersistentReplayBuffer,
  recordTrainingStat,
  saveModelVersion,
} from "./store";

/** Who the loop's model versions are saved by. */
export const LOOP_MODEL_AUTHOR = "cfdrl";

export interface LiveAgentOptions {
  /** DQN overrides (seed, batch, hidden layers, epsilon schedule). */
  dqn?: Partial<DqnConfig>;
}

/** The agent's network when no version was saved yet (its defaults with the overrides). */
export type DqnConfigFor = (overrides?: Partial<DqnConfig>) => DqnConfig;

export interface LiveAgent {
  readonly kind: CfdrlAgentKind;
  readonly dqn: DqnAgent;
  /** The model version the weights came from or were last saved as; null before the first save. */
  readonly version: number | null;
  /** Whether another version became active since this agent was loaded or saved. */
  isStale(): Promise<boolean>;
  remember(t: Transition): Promise<void>;
  /** `steps` training steps (none until the buffer holds a batch); a version when due. */
  trainAndSave(
    steps: number,
    saveEvery: number,
    fence?: LeaderFence,
  ): Promise<{ steps: number; loss: number | null; savedVersion: number | null }>;
}

export async function loadLiveAgent(
  db: Db,
  kind: CfdrlAgentKind,
  options: LiveAgentOptions & { log: Logger; config: DqnConfigFor },
): Promise<LiveAgent> {
  const log = options.log.child({ agent: kind });
  const config = options.config(options.dqn);
  const active = await loadActiveModel(db, kind);
  let dqn = new DqnAgent(config);
  let version: number | null = null;
  if (active) {
    const stored = DqnAgent.fromExport(active.architecture, active.weights, options.dqn);
    // A version of another layout (features or actions changed since) cannot act on today's input.
    if (stored.config.inputSize === config.inputSize && stored.config.actions === config.actions) {
      dqn = stored;
      version = active.version;
    } else
      log.warn(
        { version: active.version, inputSize: stored.config.inputSize, actions: stored.config.actions },
        "CFDRL: the active model version has another input or action layout; starting a new network",
      );
  }
  /** The active version when this agent last read or wrote it: another one means a rollback or another leader. */
  let seenActive = active?.version ?? null;
  const buffer = new PersistentReplayBuffer(db, kind, dqn.config.bufferCapacity);
  // Rows of another feature layout (an older model's) are left out.
  await buffer.loadInto(dqn.buffer, dqn.config.inputSize);
  log.info(
    { version, steps: dqn.steps, epsilon: dqn.epsilon, buffer: dqn.buffer.size },
    version === null ? "CFDRL agent starts untrained" : `CFDRL agent loaded model version ${version}`,
  );
  let savedAtSteps = dqn.steps;

  return {
    kind,
    dqn,
    get version() {
      return version;
    },
    async isStale() {
      return (await activeModelVersion(db, kind)) !== seenActive;
    },
    async remember(t) {
      dqn.remember(t);
      await buffer.append([t]);
    },
    async trainAndSave(steps, saveEvery, fence) {
      let loss: number | null = null;
      let taken = 0;
      for (let i = 0; i < steps; i++) {
        const result = dqn.trainStep();
        if (!result) break;
        loss = result.loss;
        taken += 1;
      }
      if (taken === 0) return { steps: 0, loss: null, savedVersion: null };
      await recordTrainingStat(db, kind, dqn.steps, loss ?? 0, dqn.epsilon);
      let savedVersion: number | null = null;
      // A version activated meanwhile (an admin's rollback) wins: the next tick loads it instead of saving over it.
      if (dqn.steps - savedAtSteps >= saveEvery && (await activeModelVersion(db, kind)) === seenActive) {
        // A replica that lost leadership saves nothing: the new leader's versions win.
        if (fence) await db.$transaction((tx) => assertLeaderFence(tx, fence));
        savedVersion = await saveModelVersion(db, kind, dqn, LOOP_MODEL_AUTHOR, { loss });
        version = savedVersion;
        seenActive = savedVersion;
        savedAtSteps = dqn.steps;
        log.info(
          { version: savedVersion, steps: dqn.steps, loss, epsilon: dqn.epsilon },
          "CFDRL model version saved",
        );
      }
      return { steps: taken, loss, savedVersion };
    },
  };
}
