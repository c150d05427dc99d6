import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { CLUSTER_LIST } from "@/components/clusters/list-query";
import { ClustersTable } from "@/components/clusters/ClustersTable";
import { HydrateClient, prefetch, trpc } from "@/trpc/server";
import { requireArea } from "../require-session";

export const metadata: Metadata = { title: "Resource Provisioning" };

export default async function ClustersPage() {
  const gate = await requireArea("clusters");
  if (gate.forbidden) return gate.forbidden;
  // The table's first page, as the table asks for it: the first paint shows the rows.
  await prefetch(trpc.cluster.list.queryOptions(CLUSTER_LIST));
  return (
    <AreaPage
      areaKey="clusters"
      access={gate.access}
      readOnlyNotice="You can see the clusters of the continuum and their capacity; registering and managing clusters is for infrastructure providers."
    >
      <HydrateClient>
        <ClustersTable readOnly={gate.access === "read"} />
      </HydrateClient>
    </AreaPage>
  );
}
