import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { InstancesTable } from "@/components/lists/InstancesTable";
import { hasRole, Role } from "@/server/auth/roles";
import { requireConsoleSession } from "../require-session";

export const metadata: Metadata = { title: "Workload Instances" };

export default async function InstancesPage() {
  const { user } = await requireConsoleSession();
  return (
    <AreaPage areaKey="instances" roles={user.roles}>
      {() => <InstancesTable seesAll={hasRole(user.roles, Role.NEMO_ADMIN)} />}
    </AreaPage>
  );
}
