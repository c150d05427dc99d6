import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { areaByKey } from "@/common/areas";
import { ClusterMetricsView } from "@/components/clusters/ClusterMetricsView";
import { PageHeader } from "@/components/PageHeader";
import { HydrateClient, prefetch, serverCaller, trpc } from "@/trpc/server";
import { requireArea } from "../../../require-session";

export const metadata: Metadata = { title: "Cluster metrics" };

export default async function ClusterMetricsPage({ params }: { params: Promise<{ id: string }> }) {
  const gate = await requireArea("clusters");
  if (gate.forbidden) return gate.forbidden;
  const area = areaByKey("clusters");
  const { id } = await params;
  // The same procedure the browser would call: someone else's cluster is not found, here too.
  const caller = await serverCaller();
  const cluster = await caller.cluster.get({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST"))
      notFound();
    throw error;
  });
  // The properties panel's query, so the first paint shows the cluster rather than a skeleton.
  await prefetch(trpc.cluster.properties.queryOptions({ id: cluster.id }));
  return (
    <>
      <PageHeader
        title={`${cluster.name} metrics`}
        trail={[{ href: area.href, label: area.title }]}
        description="CPU, memory and disk usage as the evaluator's collector samples them: live values and the last hour or day."
      />
      <HydrateClient>
        <ClusterMetricsView clusterId={cluster.id} />
      </HydrateClient>
    </>
  );
}
