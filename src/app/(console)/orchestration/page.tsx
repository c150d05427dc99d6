import Box from "@mui/material/Box";
import type { Metadata } from "next";
import { hasRole, Role } from "@/common/roles";
import { MIGRATION_LIST, migrationListInput } from "@/components/migrations/list-query";
import { AreaPage } from "@/components/AreaPage";
import { CfdrlOverview } from "@/components/cfdrl/CfdrlOverview";
import { MigrationsTable } from "@/components/migrations/MigrationsTable";
import { HydrateClient, prefetch, trpc } from "@/trpc/server";
import { requireArea } from "../require-session";

export const metadata: Metadata = { title: "Orchestration" };

/**
 * Intent-based migrations: admins see every one, service providers their
 * instances', infrastructure providers those touching their clusters. Below
 * them, CFDRL: the agents, their models (admins roll back) and decisions.
 */
export default async function OrchestrationPage() {
  const gate = await requireArea("orchestration");
  if (gate.forbidden) return gate.forbidden;
  // The table's first page and its cluster filter's choices, and the CFDRL section's queries, as the
  // components ask for them: the first paint shows their data, not loading skeletons.
  await Promise.all([
    prefetch(trpc.migration.list.queryOptions(migrationListInput(MIGRATION_LIST, {}))),
    prefetch(trpc.migration.clusters.queryOptions()),
    prefetch(trpc.cfdrl.status.queryOptions()),
    prefetch(trpc.cfdrl.models.queryOptions({})),
    prefetch(trpc.cfdrl.decisions.queryOptions({ page: 1, pageSize: 10 })),
    prefetch(trpc.cfdrl.evaluation.queryOptions()),
  ]);
  return (
    <AreaPage
      areaKey="orchestration"
      access={gate.access}
      readOnlyNotice="You see the migrations of your instances, or those leaving or reaching your clusters; moving an instance by hand is for NEMO admins."
    >
      <HydrateClient>
        <MigrationsTable seesAll={hasRole(gate.session.user.roles, Role.NEMO_ADMIN)} />
        <Box sx={{ mt: 3 }}>
          <CfdrlOverview canRollback={hasRole(gate.session.user.roles, Role.NEMO_ADMIN)} />
        </Box>
      </HydrateClient>
    </AreaPage>
  );
}
