import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { areaByKey } from "@/common/areas";
import Stack from "@mui/material/Stack";
import { ClusterDrainPanel } from "@/components/clusters/ClusterDrainPanel";
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
  // Its provider and admins manage it (drain, uncordon); others see it read-only.
  const manages = gate.access !== "read" && !cluster.withheld;
  if (manages) await prefetch(trpc.cluster.drainStatus.queryOptions({ id: cluster.id }));
  return (
    <>
      <PageHeader
        title={`${cluster.name} metrics`}
        trail={[{ href: area.href, label: area.title }]}
        description="CPU, memory and disk usage as the evaluator's collector samples them: live values and the last hour or day."
      />
      <HydrateClient>
        <Stack spacing={3}>
          {manages && cluster.status !== "DEREGISTERED" && (
            <ClusterDrainPanel clusterId={cluster.id} clusterName={cluster.name} />
          )}
          <ClusterMetricsView clusterId={cluster.id} />
        </Stack>
      </HydrateClient>
    </>
  );
}
