import type { Clock } from "@/common/clock";
import { serverEnv, type ServerEnv } from "@/server/env";
import { RateBudget } from "./rate-limit";

/** The process's request budgets, from NEMO_RATE_LIMIT_* (see README "Rate limits"). */
export interface RateBudgets {
  rest: RateBudget;
  trpcMutation: RateBudget;
  login: RateBudget;
}

export function createRateBudgets(env: ServerEnv = serverEnv(), clock?: Clock): RateBudgets {
  return {
    rest: new RateBudget(
      "REST API",
      { perUser: env.NEMO_RATE_LIMIT_REST_USER, perIp: env.NEMO_RATE_LIMIT_REST_IP },
      clock,
    ),
    trpcMutation: new RateBudget(
      "console change",
      { perUser: env.NEMO_RATE_LIMIT_TRPC_MUTATION_USER, perIp: env.NEMO_RATE_LIMIT_TRPC_MUTATION_IP },
      clock,
    ),
    login: new RateBudget(
      "sign-in",
      { perUser: env.NEMO_RATE_LIMIT_LOGIN_USER, perIp: env.NEMO_RATE_LIMIT_LOGIN_IP },
      clock,
    ),
  };
}

const globalForBudgets = globalThis as unknown as { nemoRateBudgets?: RateBudgets };

/** The process-wide budgets (on globalThis, so Next's dev reloads and route bundles share them). */
export function rateBudgets(): RateBudgets {
  globalForBudgets.nemoRateBudgets ??= createRateBudgets();
  return globalForBudgets.nemoRateBudgets;
}

/** Puts `next` in place of the process's budgets and returns the old ones (tests with a pinned clock). */
export function replaceRateBudgets(next: RateBudgets): RateBudgets {
  const previous = rateBudgets();
  globalForBudgets.nemoRateBudgets = next;
  return previous;
}
