import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { MigrationsTable } from "@/components/migrations/MigrationsTable";
import { hasRole, Role } from "@/common/roles";
import { requireConsoleSession } from "../require-session";

export const metadata: Metadata = { title: "Orchestration" };

/**
 * Intent-based migrations (flow 5): admins see every one, service providers
 * their instances', infrastructure providers those touching their clusters.
 */
export default async function OrchestrationPage() {
  const { user } = await requireConsoleSession();
  return (
    <AreaPage
      areaKey="orchestration"
      roles={user.roles}
      readOnlyNotice="You see the migrations of your instances, or those leaving or reaching your clusters; moving an instance by hand is for NEMO admins."
    >
      {() => <MigrationsTable seesAll={hasRole(user.roles, Role.NEMO_ADMIN)} />}
    </AreaPage>
  );
}
