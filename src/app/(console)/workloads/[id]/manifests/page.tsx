import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Forbidden } from "@/components/Forbidden";
import { PageHeader } from "@/components/PageHeader";
import { ManifestViewer } from "@/components/workloads/ManifestViewer";
import { areaAccess, areaByKey, rolesForArea } from "@/common/areas";
import { describeRoles } from "@/common/roles";
import { requireConsoleSession } from "../../../require-session";

export const metadata: Metadata = { title: "Workload manifests" };

export default async function WorkloadManifestsPage({ params }: { params: Promise<{ id: string }> }) {
  const { user } = await requireConsoleSession();
  const area = areaByKey("workloads");
  if (areaAccess(user.roles, "workloads") === "none") {
    return <Forbidden area={area.title} neededRoles={describeRoles(rolesForArea("workloads"))} />;
  }
  const { id } = await params;
  if (!/^\d{1,9}$/.test(id) || Number(id) < 1) notFound();
  return (
    <>
      <PageHeader
        title="Manifests"
        trail={[{ href: area.href, label: area.title }]}
        description="The Kubernetes manifests the workload's Helm chart renders with its default values (helm template)."
      />
      <ManifestViewer workloadId={Number(id)} />
    </>
  );
}
