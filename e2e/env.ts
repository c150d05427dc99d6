/**
 * What global setup hands to the specs and to global teardown. They run in
 * other processes (workers) or modules, so it travels in environment variables.
 */
export const E2E_ENV = {
  baseUrl: "E2E_BASE_URL",
  issuer: "E2E_ISSUER",
  databaseUrl: "E2E_DATABASE_URL",
  pids: "E2E_PIDS",
  /** The Meta-Orchestrator worker's pid (specs pause it to see a cluster wait for its join). */
  orchestratorPid: "E2E_ORCHESTRATOR_PID",
  /** The IBMC agent worker's pid (migrations.spec.ts pauses it to hold a migration in flight). */
  ibmcAgentPid: "E2E_IBMC_AGENT_PID",
  /** The run's RabbitMQ vhost (empty when the run fell back to a name prefix on the default vhost). */
  vhost: "E2E_VHOST",
  /** Where the secret watch (secret-watch.ts) writes what it found: one JSON line per leak. */
  secretFindings: "E2E_SECRET_FINDINGS",
} as const;

export function e2eEnv(name: keyof typeof E2E_ENV): string {
  const value = process.env[E2E_ENV[name]];
  if (!value) throw new Error(`${E2E_ENV[name]} is not set: run the specs through playwright.config.ts`);
  return value;
}
