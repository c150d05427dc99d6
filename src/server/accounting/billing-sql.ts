import type { TransactionClient } from "@/server/bus";
import type { Db } from "@/server/db";

/**
 * The billing run's bulk statements, set-based: one read of the billable
 * instances, and per write batch one statement for the accounts and one for
 * the billing items, whatever the number of rows. Prisma's `createMany` and
 * relation reads cost ~1 ms of client CPU per row here (10,000 instances: the
 * run's whole budget several times over); these send one JSON document and
 * let PostgreSQL unpack it (`jsonb_to_recordset`). They run on the same
 * interactive transaction as the ledger appends (`tx.$queryRawUnsafe`), so a
 * batch still commits or rolls back as one.
 */

export interface BillableInstanceRow {
  id: string;
  namespace: string;
  workloadId: number;
  workloadName: string;
  ownerId: string;
  ingressSupport: boolean;
  cluster: {
    id: string;
    name: string;
    ownerId: string;
    region: string;
    greenEnergyPct: number;
    cpuBaseRate: number;
    memoryBaseRate: number;
    gridIntensity: number | null;
    gridIntensityHourly: number[];
  };
}

type Tuple = [
  string,
  string,
  number,
  string,
  string,
  boolean,
  string,
  string,
  string,
  string,
  number,
  number,
  number,
  number | null,
  number[],
];

/** DEPLOYED instances on a cluster, created before the period ended, in id order: one statement, one JSON value. */
export async function selectBillableInstances(db: Db, periodEnd: Date): Promise<BillableInstanceRow[]> {
  const result = await db.$queryRawUnsafe<{ rows: string | null }[]>(
    `SELECT json_agg(json_build_array(
              i.id, i.namespace, i.workload_id, w.name, i.owner_id, w.ingress_support,
              c.id, c.name, c.owner_id, c.region, c.green_energy_pct, c.cpu_base_rate, c.memory_base_rate,
              c.grid_intensity, c.grid_intensity_hourly) ORDER BY i.id)::text AS rows
       FROM workload_instances i
       JOIN workloads w ON w.id = i.workload_id
       JOIN clusters c ON c.id = i.cluster_id
      WHERE i.status = 'DEPLOYED' AND i.created_at < $1`,
    periodEnd,
  );
  const text = result[0]?.rows;
  const tuples = (text ? JSON.parse(text) : []) as Tuple[];
  return tuples.map((t) => ({
    id: t[0],
    namespace: t[1],
    workloadId: t[2],
    workloadName: t[3],
    ownerId: t[4],
    ingressSupport: t[5],
    cluster: {
      id: t[6],
      name: t[7],
      ownerId: t[8],
      region: t[9],
      greenEnergyPct: t[10],
      cpuBaseRate: t[11],
      memoryBaseRate: t[12],
      gridIntensity: t[13],
      gridIntensityHourly: t[14],
    },
  }));
}

export interface AccountRow {
  id: string;
  kind: "WORKLOAD" | "CLUSTER";
  ownerUserId: string | null;
  displayName: string;
}

/** Opens the accounts that do not exist yet (ON CONFLICT DO NOTHING: an existing one is left as it is). */
export async function insertMissingAccounts(
  tx: TransactionClient,
  accounts: readonly AccountRow[],
): Promise<void> {
  if (accounts.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO ledger_accounts (id, kind, owner_user_id, display_name)
     SELECT r.id, r.kind::"LedgerAccountKind", r."ownerUserId"::uuid, left(r."displayName", 200)
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, kind text, "ownerUserId" text, "displayName" text)
      ORDER BY r.id
     ON CONFLICT (id) DO NOTHING`,
    JSON.stringify(accounts),
  );
}

export interface BillingItemRow {
  instanceId: string;
  workloadId: number;
  ownerId: string;
  clusterId: string;
  region: string;
  rule: string;
  /** Units, as a decimal string. */
  amount: string;
  energyWh: number | null;
  gridIntensity: number | null;
  gco2e: number | null;
  greenReward: string | null;
  gco2eAvoided: number | null;
  ledgerSequence: string | null;
  inputs: Record<string, string>;
}

/**
 * Inserts the batch's billing items in one statement; an item already there
 * (unique instance, rule, period: another replica's, or an earlier attempt's)
 * is skipped, as `createMany({ skipDuplicates })` did.
 */
export async function insertBillingItems(
  tx: TransactionClient,
  run: { id: string; periodStart: Date; periodEnd: Date; at: Date },
  items: readonly BillingItemRow[],
): Promise<void> {
  if (items.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO billing_items (run_id, instance_id, workload_id, owner_id, cluster_id, region, rule, period_start,
                                period_end, amount, energy_wh, grid_intensity, gco2e, green_reward, gco2e_avoided,
                                ledger_sequence, inputs, created_at)
     SELECT $2::uuid, r."instanceId", r."workloadId", r."ownerId", r."clusterId", r.region, r.rule, $3::timestamptz,
            $4::timestamptz, r.amount, r."energyWh", r."gridIntensity", r.gco2e, r."greenReward", r."gco2eAvoided",
            r."ledgerSequence", r.inputs, $5::timestamptz
       FROM jsonb_to_recordset($1::jsonb) AS r(
              "instanceId" uuid, "workloadId" integer, "ownerId" uuid, "clusterId" uuid, region text, rule text,
              amount bigint, "energyWh" double precision, "gridIntensity" integer, gco2e double precision,
              "greenReward" bigint, "gco2eAvoided" double precision, "ledgerSequence" bigint, inputs jsonb)
     ON CONFLICT (instance_id, rule, period_start) DO NOTHING`,
    JSON.stringify(items),
    run.id,
    run.periodStart,
    run.periodEnd,
    run.at,
  );
}
