/**
 * Runs once when the server starts (not during `next build`): a console
 * without its session secret or OIDC client secret must not come up at all rather than fail on
 * the first sign-in (or, worse, run with a guessable key).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { refuseToStartWithoutSecrets } = await import("@/server/auth/session-users");
  refuseToStartWithoutSecrets();
}
