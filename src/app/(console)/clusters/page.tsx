import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { ClustersTable } from "@/components/clusters/ClustersTable";
import { requireConsoleSession } from "../require-session";

export const metadata: Metadata = { title: "Resource Provisioning" };

export default async function ClustersPage() {
  const { user } = await requireConsoleSession();
  return (
    <AreaPage
      areaKey="clusters"
      roles={user.roles}
      readOnlyNotice="You can see the clusters of the continuum and their capacity; registering and managing clusters is for infrastructure providers."
    >
      {(access) => <ClustersTable readOnly={access === "read"} />}
    </AreaPage>
  );
}
