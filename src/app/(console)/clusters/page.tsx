import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { CLUSTER_LIST } from "@/components/clusters/list-query";
import { ClustersTable } from "@/components/clusters/ClustersTable";
import { showInactiveInput, showInactiveParam } from "@/components/show-inactive-param";
import { HydrateClient, prefetch, trpc } from "@/trpc/server";
import { requireArea } from "../require-session";

export const metadata: Metadata = { title: "Resource Provisioning" };

export default async function ClustersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const gate = await requireArea("clusters");
  if (gate.forbidden) return gate.forbidden;
  // The table's first page, as the table asks for it: the first paint shows the rows.
  const showInactive = showInactiveParam(await searchParams);
  await prefetch(trpc.cluster.list.queryOptions({ ...CLUSTER_LIST, ...showInactiveInput(showInactive) }));
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
