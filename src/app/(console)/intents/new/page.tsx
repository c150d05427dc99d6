import type { Metadata } from "next";
import { areaByKey } from "@/common/areas";
import { isUuid } from "@/common/ids";
import { INTENT_TYPES } from "@/common/intent-catalogue";
import { CreateIntentForm } from "@/components/intents/CreateIntentForm";
import { PageHeader } from "@/components/PageHeader";
import { requireArea } from "../../require-session";

export const metadata: Metadata = { title: "Create Intent" };

export default async function NewIntentPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const gate = await requireArea("intents", "manage");
  if (gate.forbidden) return gate.forbidden;
  const area = areaByKey("intents");
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
