import type { Metadata } from "next";
import { Forbidden } from "@/components/Forbidden";
import { InstanceView } from "@/components/instances/InstanceView";
import { INSTANCE_TABS, type InstanceTab } from "@/components/instances/tabs";
import { areaAccess, areaByKey, rolesForArea } from "@/common/areas";
import { describeRoles, hasRole, Role } from "@/common/roles";
import { requireConsoleSession } from "../../require-session";

export const metadata: Metadata = { title: "Workload instance" };

function tabFrom(value: string | string[] | undefined): InstanceTab {
  return INSTANCE_TABS.find((t) => t === value) ?? "overview";
}

export default async function InstancePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { user } = await requireConsoleSession();
  if (areaAccess(user.roles, "instances") === "none") {
    return (
      <Forbidden area={areaByKey("instances").title} neededRoles={describeRoles(rolesForArea("instances"))} />
    );
  }
  const [{ id }, query] = await Promise.all([params, searchParams]);
  // The instance page is one client view (it polls); the tab comes from ?tab= so links can open a view.
  return (
    <InstanceView
      key={id}
      id={id}
      initialTab={tabFrom(query.tab)}
      canMigrate={hasRole(user.roles, Role.NEMO_ADMIN)}
    />
  );
}
