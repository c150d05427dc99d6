/**
 * Local OIDC issuer standing in for Keycloak (development, tests, quick start).
 *
 *   node --import tsx workers/oidc-issuer.ts
 *
 * Serves the realm at KEYCLOAK_ISSUER (default http://127.0.0.1:8180/realms/nemo)
 * for the client KEYCLOAK_CLIENT_ID / KEYCLOAK_CLIENT_SECRET redirecting to
 * NEXTAUTH_URL. Runs only with NEMO_LOCAL_ISSUER=1 (and, under NODE_ENV=production,
 * NEMO_LOCAL_ISSUER_FORCE=1); demo accounts are listed only with NEMO_DEMO_USERS=1.
 * SIGTERM / SIGINT close it; a second signal exits at once.
 */
import { localIssuerOptionsFromEnv, LocalIssuerRefused, startLocalIssuer } from "@/server/auth/local-issuer";
import { logger } from "@/server/logger";

const log = logger.child({ worker: "oidc-issuer" });
let started;
try {
  started = await startLocalIssuer({ ...localIssuerOptionsFromEnv(), logger: log });
} catch (error) {
  if (!(error instanceof LocalIssuerRefused)) throw error;
  log.fatal(error.message);
  process.exit(1);
}
const issuer = started;
log.info({ issuer: issuer.issuer }, "local OIDC issuer ready");

let stopping = false;
function shutdown(signal: NodeJS.Signals): void {
  if (stopping) {
    log.warn({ signal }, "second signal, exiting now");
    process.exit(1);
  }
  stopping = true;
  log.info({ signal }, "stopping local OIDC issuer");
  const force = setTimeout(() => process.exit(1), 5_000);
  force.unref();
  issuer.close().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error({ err: error }, "close failed");
      process.exit(1);
    },
  );
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
