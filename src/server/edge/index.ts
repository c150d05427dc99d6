export { BodyTooLarge, describeBytes, readCappedBody, withCappedBody } from "./body-limit";
export { clientIp, socketClientIp } from "./client-ip";
export {
  DEFAULT_MAX_KEYS,
  RateBudget,
  RateLimiter,
  tooManyRequests,
  type RateLimitDecision,
} from "./rate-limit";
export { createRateBudgets, rateBudgets, replaceRateBudgets, type RateBudgets } from "./budgets";
export {
  API_CSP,
  DOCS_CSP,
  EVERY_RESPONSE_HEADERS,
  HSTS_HEADER,
  apiJsonHeaders,
  type HeaderRule,
} from "./response-headers";
