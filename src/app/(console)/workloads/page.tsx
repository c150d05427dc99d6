import type { Metadata } from "next";
import { INTENT_TYPES } from "@/common/intent-catalogue";
import { hasRole, Role } from "@/common/roles";
import { AreaPage } from "@/components/AreaPage";
import { WORKLOAD_LIST } from "@/components/workloads/list-query";
import { showInactiveInput, showInactiveParam } from "@/components/show-inactive-param";
import { WorkloadsTable } from "@/components/workloads/WorkloadsTable";
import { getQueryClient, HydrateClient, prefetch, trpc } from "@/trpc/server";
import { requireArea } from "../require-session";

export const metadata: Metadata = { title: "Workload Monitoring" };

/** The catalogue is static data: the page hands the choice list to the form rather than another round trip. */
const INTENT_TYPE_OPTIONS = INTENT_TYPES.map(({ type, label, description }) => ({
  type,
  label,
  description,
}));

export default async function WorkloadsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const gate = await requireArea("workloads");
  if (gate.forbidden) return gate.forbidden;
  // The table's first page, as the table asks for it: the first paint shows the rows.
  const showInactive = showInactiveParam(await searchParams);
  const listOptions = trpc.workload.list.queryOptions({
    ...WORKLOAD_LIST,
    ...showInactiveInput(showInactive),
  });
  await prefetch(listOptions);
  // And those rows' balances (the table's second query, keyed by the page's ids), so the Balance column
  // arrives filled rather than as a loading skeleton.
  const ids = (getQueryClient().getQueryData(listOptions.queryKey)?.items ?? []).map((w) => w.id);
  if (ids.length > 0) await prefetch(trpc.accounting.workloadBalances.queryOptions({ ids }));
  return (
    <AreaPage areaKey="workloads" access={gate.access}>
      <HydrateClient>
        <WorkloadsTable
          seesAll={hasRole(gate.session.user.roles, Role.NEMO_ADMIN)}
          intentTypes={INTENT_TYPE_OPTIONS}
        />
      </HydrateClient>
    </AreaPage>
  );
}
