/**
 * The replay buffer: a fixed-capacity ring in memory (what `DqnAgent` samples from) and
 * `PersistentReplayBuffer`, its copy in `cfdrl_transitions`, so training survives a restart.
 */
import type { CfdrlAgentKind } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import type { Rng } from "./rng";

export interface Transition {
  state: Float32Array;
  action: number;
  reward: number;
  nextState: Float32Array;
  done: boolean;
}

/** Oldest overwritten first once full. */
export class ReplayBuffer {
  private readonly items: Transition[] = [];
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error("capacity must be an integer ≥ 1");
  }

  get size(): number {
    return this.items.length;
  }

  push(t: Transition): void {
    if (this.items.length < this.capacity) {
      this.items.push(t);
    } else {
      this.items[this.head] = t;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** `n` transitions drawn uniformly with replacement. */
  sample(n: number, rng: Rng): Transition[] {
    if (this.items.length === 0) return [];
    const out: Transition[] = new Array<Transition>(n);
    for (let i = 0; i < n; i++) out[i] = this.items[rng.int(this.items.length)]!;
    return out;
  }

  /** Oldest first. */
  toArray(): Transition[] {
    return [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }
}

/**
 * An agent's replay buffer in `cfdrl_transitions`: appended in batches, capped at `capacity` rows
 * per agent (oldest deleted), and read back newest `capacity` first at start (returned oldest first,
 * the order they are pushed into the in-memory ring).
 */
export class PersistentReplayBuffer {
  private readonly pending: Transition[] = [];

  constructor(
    private readonly db: Db,
    readonly agent: CfdrlAgentKind,
    readonly capacity: number,
    /** Rows per INSERT; `add` flushes on its own once this many are queued. */
    readonly batchSize = 100,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error("capacity must be an integer ≥ 1");
  }

  /** Transitions queued by `add` and not yet written. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Queue a transition; writes the queue when it reaches `batchSize`. */
  async add(t: Transition): Promise<void> {
    this.pending.push(t);
    if (this.pending.length >= this.batchSize) await this.flush();
  }

  /** Write these transitions now (with anything queued), then cap. */
  async append(transitions: readonly Transition[]): Promise<void> {
    this.pending.push(...transitions);
    await this.flush();
  }

  /** Write the queued transitions in batches, then delete the oldest beyond `capacity`. */
  async flush(): Promise<{ appended: number; dropped: number }> {
    const rows = this.pending.splice(0, this.pending.length);
    for (let i = 0; i < rows.length; i += this.batchSize) {
      await this.db.cfdrlTransition.createMany({
        data: rows.slice(i, i + this.batchSize).map((t) => ({
          agent: this.agent,
          state: Array.from(t.state),
          action: t.action,
          reward: t.reward,
          nextState: Array.from(t.nextState),
          done: t.done,
        })),
      });
    }
    const dropped = rows.length > 0 ? await this.cap() : 0;
    return { appended: rows.length, dropped };
  }

  /** Delete this agent's rows older than its newest `capacity`. */
  async cap(): Promise<number> {
    return this.db.$executeRaw`
      DELETE FROM cfdrl_transitions
       WHERE agent = ${this.agent}::"CfdrlAgentKind"
         AND id < (SELECT id FROM cfdrl_transitions
                    WHERE agent = ${this.agent}::"CfdrlAgentKind"
                    ORDER BY id DESC OFFSET ${this.capacity - 1} LIMIT 1)`;
  }

  /**
   * The newest `limit` (default `capacity`) transitions, oldest first. Rows of another feature size
   * than `inputSize` (default: the newest row's) are left out — an older model's layout.
   */
  async load(options: { limit?: number; inputSize?: number } = {}): Promise<Transition[]> {
    const rows = await this.db.cfdrlTransition.findMany({
      where: { agent: this.agent },
      orderBy: { id: "desc" },
      take: Math.min(options.limit ?? this.capacity, this.capacity),
      select: { state: true, action: true, reward: true, nextState: true, done: true },
    });
    // Without inputSize, the newest row's size: rows of an older feature layout cannot train this network.
    const width = options.inputSize ?? rows[0]?.state.length;
    const out: Transition[] = [];
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i]!;
      if (r.state.length !== width || r.nextState.length !== width) continue;
      out.push({
        state: Float32Array.from(r.state),
        action: r.action,
        reward: r.reward,
        nextState: Float32Array.from(r.nextState),
        done: r.done,
      });
    }
    return out;
  }

  /** Refill an in-memory ring (the agent's `buffer`) from the table; returns how many were loaded. */
  async loadInto(buffer: ReplayBuffer, inputSize?: number): Promise<number> {
    const ts = await this.load({ limit: buffer.capacity, inputSize });
    for (const t of ts) buffer.push(t);
    return ts.length;
  }

  async count(): Promise<number> {
    return this.db.cfdrlTransition.count({ where: { agent: this.agent } });
  }
}
