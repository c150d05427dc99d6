import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { WorkloadsTable } from "@/components/lists/WorkloadsTable";
import { hasRole, Role } from "@/server/auth/roles";
import { requireConsoleSession } from "../require-session";

export const metadata: Metadata = { title: "Workload Monitoring" };

export default async function WorkloadsPage() {
  const { user } = await requireConsoleSession();
  return (
    <AreaPage areaKey="workloads" roles={user.roles}>
      {() => <WorkloadsTable seesAll={hasRole(user.roles, Role.NEMO_ADMIN)} />}
    </AreaPage>
  );
}
