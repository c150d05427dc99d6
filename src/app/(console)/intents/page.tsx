import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { IntentsTable } from "@/components/lists/IntentsTable";
import { hasRole, Role } from "@/server/auth/roles";
import { requireConsoleSession } from "../require-session";

export const metadata: Metadata = { title: "Intent Management" };

export default async function IntentsPage() {
  const { user } = await requireConsoleSession();
  return (
    <AreaPage areaKey="intents" roles={user.roles}>
      {() => <IntentsTable seesAll={hasRole(user.roles, Role.NEMO_ADMIN)} />}
    </AreaPage>
  );
}
