import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { DatasetsPanel } from "@/components/accounting/DatasetsPanel";
import { requireArea } from "../../require-session";

export const metadata: Metadata = { title: "Datasets" };

/** The caller's datasets: upload (with progress), rewards, download and delete. */
export default async function DatasetsPage() {
  const gate = await requireArea("accounting", "manage");
  if (gate.forbidden) return gate.forbidden;
  return (
    <AreaPage areaKey="accounting" access={gate.access}>
      <DatasetsPanel />
    </AreaPage>
  );
}
