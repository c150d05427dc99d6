import type { Metadata } from "next";
import { isUuid } from "@/common/ids";
import { INTENT_TYPES } from "@/common/intent-catalogue";
import { hasRole, Role } from "@/common/roles";
import { AreaPage } from "@/components/AreaPage";
import { IntentsTable } from "@/components/intents/IntentsTable";
import { INTENT_LIST, intentListInput } from "@/components/intents/list-query";
import { HydrateClient, prefetch, trpc } from "@/trpc/server";
import { requireArea } from "../require-session";

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
  const gate = await requireArea("intents");
  if (gate.forbidden) return gate.forbidden;
  const query = await searchParams;
  const instanceId = uuidParam(query.instanceId);
  const report = uuidParam(query.report);
  // What the table asks for on its first render: the list with the URL's filter, the filtered
  // instance (its chip) and the report it opens.
  await Promise.all([
    prefetch(trpc.intent.list.queryOptions(intentListInput(INTENT_LIST, instanceId))),
    instanceId && prefetch(trpc.instance.get.queryOptions({ id: instanceId })),
    report && prefetch(trpc.intent.report.queryOptions({ id: report })),
  ]);
  return (
    <AreaPage areaKey="intents" access={gate.access}>
      <HydrateClient>
        <IntentsTable
          // A new filter is a new table (page 1, its own search).
          key={instanceId ?? "all"}
          seesAll={hasRole(gate.session.user.roles, Role.NEMO_ADMIN)}
          canManage={gate.access === "manage"}
          intentTypes={INTENT_TYPES}
          {...(instanceId ? { instanceId } : {})}
          {...(report ? { openReport: report } : {})}
        />
      </HydrateClient>
    </AreaPage>
  );
}
