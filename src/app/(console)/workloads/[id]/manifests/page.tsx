import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { areaByKey } from "@/common/areas";
import { PageHeader } from "@/components/PageHeader";
import { ManifestViewer } from "@/components/workloads/ManifestViewer";
import { requireArea } from "../../../require-session";

export const metadata: Metadata = { title: "Workload manifests" };

export default async function WorkloadManifestsPage({ params }: { params: Promise<{ id: string }> }) {
  const gate = await requireArea("workloads");
  if (gate.forbidden) return gate.forbidden;
  const area = areaByKey("workloads");
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
