import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { InstancesTable } from "@/components/instances/InstancesTable";
import { hasRole, Role } from "@/common/roles";
import { requireConsoleSession } from "../require-session";

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
  const { user } = await requireConsoleSession();
  const workloadId = workloadFilter((await searchParams).workload);
  return (
    <AreaPage areaKey="instances" roles={user.roles}>
      {() => (
        <InstancesTable
          // A new filter is a new table (page 1, its own search).
          key={workloadId ?? "all"}
          seesAll={hasRole(user.roles, Role.NEMO_ADMIN)}
          {...(workloadId !== undefined ? { workloadId } : {})}
        />
      )}
    </AreaPage>
  );
}
