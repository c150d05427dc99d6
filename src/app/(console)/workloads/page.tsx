import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { WorkloadsTable } from "@/components/workloads/WorkloadsTable";
import { hasRole, Role } from "@/common/roles";
import { INTENT_TYPES } from "@/common/intent-catalogue";
import { requireConsoleSession } from "../require-session";

export const metadata: Metadata = { title: "Workload Monitoring" };

/** The catalogue is static data: the page hands the choice list to the form rather than another round trip. */
const INTENT_TYPE_OPTIONS = INTENT_TYPES.map(({ type, label, description }) => ({
  type,
  label,
  description,
}));

export default async function WorkloadsPage() {
  const { user } = await requireConsoleSession();
  return (
    <AreaPage areaKey="workloads" roles={user.roles}>
      {() => (
        <WorkloadsTable seesAll={hasRole(user.roles, Role.NEMO_ADMIN)} intentTypes={INTENT_TYPE_OPTIONS} />
      )}
    </AreaPage>
  );
}
