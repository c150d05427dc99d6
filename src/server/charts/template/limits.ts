/**
 * Budgets that keep one hostile chart from freezing or exhausting the process rendering it.
 * Go's text/template has none (Helm only stops `include` recursion at 1000); these are far
 * above what real charts use, and every error names its limit so an author can tell why.
 */
import { GoError } from "./values";

export const RENDER_LIMITS = {
  /** `range` iterations in one render, all loops together (nested loops multiply). */
  maxRangeIterations: 1_000_000,
  /** Elements `until`, `untilStep` and `seq` may produce in one call. */
  maxSequenceLength: 100_000,
  /** Characters one function may return (`repeat`, `indent`, `printf` widths, `toYaml`, …). */
  maxStringBytes: 16 * 1024 * 1024,
  /** Characters written by all templates of one render, included output counted where printed. */
  maxOutputBytes: 64 * 1024 * 1024,
  /** Nesting of `include`, `template` and `tpl` (Helm stops self-`include` at 1000). */
  maxTemplateDepth: 1000,
  /** `include`, `template` and `tpl` executions in one render (exponential includes). */
  maxTemplateCalls: 500_000,
  /** Characters of input given to one regular-expression function. */
  maxRegexInputBytes: 64 * 1024,
  /** Wall-clock time of one render, checked between template steps. */
  maxRenderMs: 10_000,
} as const;

export type RenderLimit = keyof typeof RENDER_LIMITS;

/** A render went over one of {@link RENDER_LIMITS}; `limit` names which. */
export class RenderLimitError extends GoError {
  constructor(
    readonly limit: RenderLimit,
    what: string,
    /** The whole message, when Helm has its own words for it. */
    message?: string,
  ) {
    super(message ?? `${what} exceeds the limit of ${RENDER_LIMITS[limit]} (${limit})`);
    this.name = "RenderLimitError";
  }
}

/** Refuse building a string of `n` characters before building it. */
export function checkStringBytes(n: number, what: string): void {
  if (n > RENDER_LIMITS.maxStringBytes)
    throw new RenderLimitError("maxStringBytes", `${what} of ${n} characters`);
}

/** Refuse a sequence of `n` elements before building it. */
export function checkSequenceLength(n: bigint, what: string): void {
  if (n > BigInt(RENDER_LIMITS.maxSequenceLength))
    throw new RenderLimitError("maxSequenceLength", `${what} of ${n} elements`);
}

/** Refuse regular-expression input long enough for polynomial backtracking to matter. */
export function checkRegexInput(s: string): void {
  if (s.length > RENDER_LIMITS.maxRegexInputBytes)
    throw new RenderLimitError("maxRegexInputBytes", `regular-expression input of ${s.length} characters`);
}

const CLOCK_EVERY = 256;

/**
 * The spending of one render, shared by every template set and state of that render
 * (include, tpl and clones point at the same budget).
 */
export class RenderBudget {
  iterations = 0;
  calls = 0;
  depth = 0;
  output = 0;
  private ticks = 0;
  readonly deadline: number;

  constructor(maxMs: number = RENDER_LIMITS.maxRenderMs) {
    this.deadline = Date.now() + maxMs;
  }

  /** One unit of work; looks at the clock every few hundred. */
  private tick(): void {
    if (++this.ticks % CLOCK_EVERY === 0 && Date.now() > this.deadline)
      throw new RenderLimitError("maxRenderMs", "rendering time in milliseconds");
  }

  iterate(): void {
    if (++this.iterations > RENDER_LIMITS.maxRangeIterations)
      throw new RenderLimitError("maxRangeIterations", "range iterations");
    this.tick();
  }

  /** Entering a template (include, template, tpl); pair with {@link leave}. */
  enter(): void {
    if (++this.calls > RENDER_LIMITS.maxTemplateCalls)
      throw new RenderLimitError("maxTemplateCalls", "template executions");
    if (this.depth + 1 > RENDER_LIMITS.maxTemplateDepth)
      throw new RenderLimitError("maxTemplateDepth", "template nesting");
    this.depth++;
    this.tick();
  }

  leave(): void {
    this.depth--;
  }

  write(n: number): void {
    this.output += n;
    if (this.output > RENDER_LIMITS.maxOutputBytes)
      throw new RenderLimitError("maxOutputBytes", "rendered output in characters");
  }
}
