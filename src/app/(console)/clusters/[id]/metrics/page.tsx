import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { ClusterMetricsView } from "@/components/clusters/ClusterMetricsView";
import { Forbidden } from "@/components/Forbidden";
import { PageHeader } from "@/components/PageHeader";
import { createCaller } from "@/server/api/root";
import { areaAccess, areaByKey, rolesForArea } from "@/common/areas";
import { describeRoles } from "@/common/roles";
import { db } from "@/server/db/client";
import { requireConsoleSession } from "../../../require-session";

export const metadata: Metadata = { title: "Cluster metrics" };

export default async function ClusterMetricsPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireConsoleSession();
  const area = areaByKey("clusters");
  if (areaAccess(session.user.roles, "clusters") === "none") {
    return <Forbidden area={area.title} neededRoles={describeRoles(rolesForArea("clusters"))} />;
  }
  const { id } = await params;
  // The same procedure the browser would call: someone else's cluster is not found, here too.
  const caller = createCaller({ db: db(), session, headers: await headers() });
  const cluster = await caller.cluster.get({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST"))
      notFound();
    throw error;
  });
  return (
    <>
      <PageHeader
        title={`${cluster.name} metrics`}
        trail={[{ href: area.href, label: area.title }]}
        description="CPU, memory and disk usage as the evaluator's collector samples them: live values and the last hour or day."
      />
      <ClusterMetricsView clusterId={cluster.id} />
    </>
  );
}
