import type { Metadata } from "next";
import { hasRole, Role } from "@/common/roles";
import { AreaPage } from "@/components/AreaPage";
import { InstancesTable } from "@/components/instances/InstancesTable";
import { INSTANCE_LIST, instanceListInput } from "@/components/instances/list-query";
import { showInactiveParam } from "@/components/show-inactive-param";
import { HydrateClient, prefetch, trpc } from "@/trpc/server";
import { requireArea } from "../require-session";

export const metadata: Metadata = { title: "Workload Instances" };

/** `?workload=<id>` narrows the table to one workload's instances ("View instances" on a workload). */
function workloadFilter(value: string | string[] | undefined): number | undefined {
  return typeof value === "string" && /^\d{1,9}$/.test(value) && Number(value) > 0
    ? Number(value)
    : undefined;
}

export default async function InstancesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const gate = await requireArea("instances");
  if (gate.forbidden) return gate.forbidden;
  const params = await searchParams;
  const workloadId = workloadFilter(params.workload);
  const showInactive = showInactiveParam(params);
  // The table's first page with the URL's filters, as the table asks for it: the first paint shows the rows.
  await prefetch(
    trpc.instance.list.queryOptions(instanceListInput(INSTANCE_LIST, { workloadId, showInactive })),
  );
  return (
    <AreaPage areaKey="instances" access={gate.access}>
      <HydrateClient>
        <InstancesTable
          // A new filter is a new table (page 1, its own search).
          key={workloadId ?? "all"}
          seesAll={hasRole(gate.session.user.roles, Role.NEMO_ADMIN)}
          {...(workloadId !== undefined ? { workloadId } : {})}
        />
      </HydrateClient>
    </AreaPage>
  );
}
