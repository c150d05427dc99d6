import type { Metadata } from "next";
import { Forbidden } from "@/components/Forbidden";
import { CreateIntentForm } from "@/components/intents/CreateIntentForm";
import { PageHeader } from "@/components/PageHeader";
import { areaAccess, areaByKey, rolesForArea } from "@/common/areas";
import { describeRoles } from "@/common/roles";
import { INTENT_TYPES } from "@/common/intent-catalogue";
import { requireConsoleSession } from "../../require-session";
import { isUuid } from "@/common/ids";

export const metadata: Metadata = { title: "Create Intent" };

export default async function NewIntentPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { user } = await requireConsoleSession();
  const area = areaByKey("intents");
  if (areaAccess(user.roles, "intents") !== "manage") {
    return <Forbidden area={area.title} neededRoles={describeRoles(rolesForArea("intents"))} />;
  }
  const { instanceId } = await searchParams;
  return (
    <>
      <PageHeader
        title="New intent"
        trail={[{ href: area.href, label: area.title }]}
        description="Say what a workload instance must get (3GPP TS 28.312 targets). The evaluator checks it every observation period and reports whether it is fulfilled; a violated intent can move the instance."
      />
      <CreateIntentForm
        initialInstanceId={
          typeof instanceId === "string" && isUuid(instanceId) ? instanceId.toLowerCase() : undefined
        }
        // The catalogue is static data: the page hands it over rather than another round trip.
        intentTypes={INTENT_TYPES}
      />
    </>
  );
}
