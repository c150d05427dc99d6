/**
 * The replay buffer: a fixed-capacity ring in memory (what `DqnAgent` samples from) and
 * `PersistentReplayBuffer`, its copy in `cfdrl_transitions`, so training survives a restart.
 */
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
