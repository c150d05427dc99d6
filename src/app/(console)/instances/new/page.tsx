import type { Metadata } from "next";
import { areaByKey } from "@/common/areas";
import { INTENT_TYPES } from "@/common/intent-catalogue";
import { CreateInstanceForm } from "@/components/instances/CreateInstanceForm";
import { PageHeader } from "@/components/PageHeader";
import { requireArea } from "../../require-session";

export const metadata: Metadata = { title: "Create Workload Instance" };

export default async function NewInstancePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const gate = await requireArea("instances", "manage");
  if (gate.forbidden) return gate.forbidden;
  const area = areaByKey("instances");
  const { workload } = await searchParams;
  const workloadId =
    typeof workload === "string" && /^\d{1,9}$/.test(workload) && Number(workload) > 0
      ? Number(workload)
      : undefined;
  return (
    <>
      <PageHeader
        title="New instance"
        trail={[{ href: area.href, label: area.title }]}
        description="Render an accepted workload's Helm chart with your options; the Meta-Orchestrator places it on a cluster that meets its intent and deploys it."
      />
      <CreateInstanceForm initialWorkloadId={workloadId} intentTypes={INTENT_TYPES} />
    </>
  );
}
