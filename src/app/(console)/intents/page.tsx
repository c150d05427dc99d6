import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { IntentsTable } from "@/components/intents/IntentsTable";
import { hasRole, Role } from "@/common/roles";
import { INTENT_TYPES } from "@/common/intent-catalogue";
import { requireConsoleSession } from "../require-session";
import { isUuid } from "@/common/ids";

export const metadata: Metadata = { title: "Intent Management" };

/** `?instanceId=` narrows the list to one instance's intents; `?report=` opens an intent's report. */
function uuidParam(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" && isUuid(value) ? value.toLowerCase() : undefined;
}

export default async function IntentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { user } = await requireConsoleSession();
  const query = await searchParams;
  const instanceId = uuidParam(query.instanceId);
  const report = uuidParam(query.report);
  return (
    <AreaPage areaKey="intents" roles={user.roles}>
      {(access) => (
        <IntentsTable
          // A new filter is a new table (page 1, its own search).
          key={instanceId ?? "all"}
          seesAll={hasRole(user.roles, Role.NEMO_ADMIN)}
          canManage={access === "manage"}
          intentTypes={INTENT_TYPES}
          {...(instanceId ? { instanceId } : {})}
          {...(report ? { openReport: report } : {})}
        />
      )}
    </AreaPage>
  );
}
