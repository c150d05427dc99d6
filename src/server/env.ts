import { z } from "zod";
import { TRPC_CONSOLE_BATCH_ITEMS } from "@/common/trpc-batch";

/**
 * Server environment, validated once. Most variables have an embedded default
 * so the quick start runs with little set; secrets have none (the quick start
 * generates them into .nemo/, tests set their own).
 */
/** An on/off switch: "1"/"true" is on; unset, "0" or "false" is off. */
const flag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((v) => v === "true" || v === "1");

/** A request budget per minute; 0 turns that limit off. */
const perMinute = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

const serverEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.string().url().default("postgresql://postgres@127.0.0.1:5432/nemo"),
  AMQP_URL: z.string().default("amqp://guest:guest@127.0.0.1:5672/"),
  /** Prefix for every exchange and queue name, so test runs can share a vhost. */
  AMQP_PREFIX: z.string().default(""),
  NEXTAUTH_URL: z.string().url().default("http://localhost:3000"),
  /**
   * Signs and encrypts the session cookie. No default: a known key would let anyone forge a
   * session; the web app refuses to start without it (`requireNextAuthSecret`).
   */
  NEXTAUTH_SECRET: z.string().min(32).optional(),
  /** Absolute session lifetime: after it the user signs in again, however active. */
  NEMO_SESSION_MAX_AGE_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  KEYCLOAK_ISSUER: z.string().url().default("http://127.0.0.1:8180/realms/nemo"),
  KEYCLOAK_CLIENT_ID: z.string().default("nemo-console"),
  /** The console's OIDC client secret. No default (the quick start generates one, e2e sets its own). */
  KEYCLOAK_CLIENT_SECRET: z.string().min(1).optional(),
  /**
   * Expected `aud` of bearer access tokens on /api/v1 (defaults to the client
   * id; on Keycloak add an audience mapper for the client).
   */
  KEYCLOAK_AUDIENCE: z.string().optional(),
  /** Interface the local OIDC issuer binds (defaults to KEYCLOAK_ISSUER's host). */
  LOCAL_ISSUER_HOST: z.string().optional(),
  /** Run the local OIDC issuer (development, tests, quick start); off unless asked. */
  NEMO_LOCAL_ISSUER: flag,
  /** Let the local issuer run under NODE_ENV=production (the quick start's single-machine demo). */
  NEMO_LOCAL_ISSUER_FORCE: flag,
  /** Show the demo accounts (the local issuer's login page); hidden unless asked. */
  NEMO_DEMO_USERS: flag,
  /**
   * JSON file of the local issuer's service-account clients (client-credentials grant for
   * scripts): `{"clients":[{"clientId","clientSecret","realmRoles"}]}`; the quick start
   * generates `.nemo/service-accounts.json`.
   */
  NEMO_SERVICE_ACCOUNTS_FILE: z.string().min(1).optional(),
  /** 32-byte key (hex or base64) for AES-256-GCM encryption of secrets at rest. */
  NEMO_SECRET_KEY: z.string().optional(),
  ELASTICSEARCH_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** `json` (default: one pino JSON object per line) or `pretty` (one readable line; the quick start in a terminal). */
  LOG_FORMAT: z.enum(["json", "pretty"]).default("json"),
  /** Seed of the simulated continuum (same seed, same behaviour). */
  SIM_SEED: z.coerce.number().int().default(42),
  METRICS_PERIOD_MS: z.coerce.number().int().positive().default(60_000),
  /** MOCA billing period (the moca worker bills each ended period once); the quick start runs faster. */
  BILLING_PERIOD_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** CFDRL decision period: the cfdrl worker's leader decides for every enabled instance this often (quick start faster). */
  CFDRL_PERIOD_MS: z.coerce.number().int().min(500).default(60_000),
  /** The CFDRL migration agent decides for an instance every this many periods (a move interrupts it). */
  CFDRL_MIGRATION_EVERY_PERIODS: z.coerce.number().int().min(1).max(10_000).default(10),
  /** DQN training steps (batch updates) each agent takes between two decisions. */
  CFDRL_TRAIN_STEPS: z.coerce.number().int().min(0).max(10_000).default(32),
  /** A new model version is saved every this many training steps. */
  CFDRL_SAVE_EVERY_STEPS: z.coerce.number().int().min(1).default(500),
  /** A decision the MO has not answered after this long is failed, so the instance can get its next one. */
  CFDRL_REPLY_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(300_000),
  /** How often the evaluator looks for intents whose observation period has come round. */
  INTENT_EVALUATION_TICK_MS: z.coerce.number().int().positive().default(1_000),
  /**
   * Intent reports older than this many days are pruned (each intent keeps its newest regardless);
   * 0, the default, keeps every report, as the intents flow asks. Large deployments set it.
   */
  INTENT_REPORT_RETENTION_DAYS: z.coerce.number().int().nonnegative().default(0),
  /** How often the evaluator prunes intent reports past the retention. */
  INTENT_REPORT_PRUNE_PERIOD_MS: z.coerce.number().int().positive().default(600_000),
  /**
   * Retention of the bus's bookkeeping, in days (0 keeps rows forever). Processed-message
   * marks must outlive any redelivery: a duplicate arriving later would be applied again.
   */
  PROCESSED_MESSAGE_RETENTION_DAYS: z.coerce.number().int().nonnegative().default(7),
  /** Published outbox rows, and rows an admin discarded (counted from the discard). */
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().nonnegative().default(7),
  /** Dead letters an admin replayed or discarded (counted from that action). */
  DEAD_LETTER_RESOLVED_RETENTION_DAYS: z.coerce.number().int().nonnegative().default(30),
  /** Every dead letter, open ones included (0 keeps open ones until an admin acts). */
  DEAD_LETTER_RETENTION_DAYS: z.coerce.number().int().nonnegative().default(90),
  /** Days any in-app notification is kept, unread ones too (0 keeps unread ones forever). */
  NOTIFICATION_RETENTION_DAYS: z.coerce.number().int().nonnegative().default(90),
  /** Days a read notification is kept (0: as long as NOTIFICATION_RETENTION_DAYS). */
  NOTIFICATION_READ_RETENTION_DAYS: z.coerce.number().int().nonnegative().default(30),
  /** How often the orchestrator's leader prunes the bus's bookkeeping. */
  BUS_PRUNE_PERIOD_MS: z.coerce.number().int().positive().default(3_600_000),
  /**
   * Longest a migration may stay in one step (backing up, restoring, verifying)
   * before the IBMC controller's watchdog fails it or rolls it back.
   */
  MIGRATION_STEP_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  /** How often the orchestrator's reconciler looks for instances stuck mid-step (DEPLOYING, DELETING). */
  INSTANCE_REDRIVE_PERIOD_MS: z.coerce.number().int().positive().default(60_000),
  /** How long an instance may stay DEPLOYING or DELETING before the reconciler drives it again. */
  INSTANCE_STUCK_AFTER_MS: z.coerce.number().int().positive().default(300_000),
  /**
   * `sim://` clusters (the simulated continuum) are refused unless this is 1: a production
   * console must not be gamed with fake, perfectly available clusters. The quick start,
   * tests, e2e and benchmarks set it.
   */
  NEMO_ALLOW_SIMULATED: z
    .enum(["0", "1"])
    .default("0")
    .transform((v) => v === "1"),
  /** `http://` cluster API servers (no TLS) are refused unless this is 1. */
  NEMO_CLUSTER_ALLOW_HTTP: z
    .enum(["0", "1"])
    .default("0")
    .transform((v) => v === "1"),
  /**
   * Comma-separated host names, addresses and CIDR ranges clusters may use although they are
   * loopback, private, link-local or the metadata address (refused otherwise; SSRF guard).
   */
  NEMO_CLUSTER_ALLOWED_HOSTS: z.string().default(""),
  /** Pod Security Standard enforced on every instance namespace (restricted unless an admin relaxes it). */
  NEMO_POD_SECURITY_LEVEL: z.enum(["restricted", "baseline", "privileged"]).default("restricted"),
  /** Largest JSON (or YAML) request body on /api/v1 and /api/trpc; uploads have their own cap. */
  NEMO_MAX_JSON_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Most calls one tRPC batch may hold (never below the console's own batches, TRPC_CONSOLE_BATCH_ITEMS). */
  NEMO_TRPC_MAX_BATCH: z.coerce.number().int().min(TRPC_CONSOLE_BATCH_ITEMS).default(20),
  /** Requests per minute (0: no limit) per user and per client address; see README "Rate limits". */
  NEMO_RATE_LIMIT_REST_USER: perMinute(600),
  NEMO_RATE_LIMIT_REST_IP: perMinute(1200),
  NEMO_RATE_LIMIT_TRPC_MUTATION_USER: perMinute(120),
  NEMO_RATE_LIMIT_TRPC_MUTATION_IP: perMinute(240),
  NEMO_RATE_LIMIT_LOGIN_USER: perMinute(10),
  NEMO_RATE_LIMIT_LOGIN_IP: perMinute(30),
  /**
   * Reverse proxies in front of the console that append to X-Forwarded-For; the client address is
   * the entry this many places from the right. 0: no proxy (the web server's own record of the peer).
   */
  NEMO_TRUSTED_PROXY_HOPS: z.coerce.number().int().nonnegative().max(10).default(0),
  /** How long opening a database connection may take before the request fails (503). */
  NEMO_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Longest statement the web server's connections may run (0: none). */
  NEMO_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(30_000),
  /** Longest statement a worker's connections may run: bulk writes, pruning (0: none). */
  NEMO_DB_WORKER_STATEMENT_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(600_000),
  /** A session idle inside an open transaction this long is ended by PostgreSQL (0: never). */
  NEMO_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(60_000),
  /** Where uploaded datasets are stored when no S3 bucket is configured (S3_BUCKET unset). */
  DATASET_DIR: z.string().min(1).default(".nemo/datasets"),
  /** Largest dataset file accepted (413 past it, counted while the upload streams in). */
  DATASET_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  /** Most datasets one user may keep (400 past it; deleting one frees a place). */
  DATASET_MAX_PER_USER: z.coerce.number().int().positive().default(100),
  /** S3-compatible object store for datasets: set the bucket to use it instead of DATASET_DIR. */
  S3_BUCKET: z.string().min(1).optional(),
  /** The store's endpoint (MinIO, Ceph, …); unset for AWS S3 itself. */
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  /** Credentials; unset to use the SDK's default chain (instance role, AWS_* variables). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style addressing (`endpoint/bucket/key`), which most self-hosted stores need. */
  S3_FORCE_PATH_STYLE: flag,
  /** Key prefix inside the bucket. */
  S3_PREFIX: z.string().default("datasets/"),
});

export type ServerEnv = z.infer<typeof serverEnvSchema>;

let cached: ServerEnv | undefined;

export function serverEnv(): ServerEnv {
  if (!cached) {
    const parsed = serverEnvSchema.safeParse(process.env);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`Invalid environment: ${issues}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** For tests that change process.env between cases. */
export function resetServerEnvCache(): void {
  cached = undefined;
}
