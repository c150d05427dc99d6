import type { Metadata } from "next";
import { hasRole, Role } from "@/common/roles";
import { InstanceView } from "@/components/instances/InstanceView";
import { INSTANCE_TABS, type InstanceTab } from "@/components/instances/tabs";
import { HydrateClient, prefetch, trpc } from "@/trpc/server";
import { requireArea } from "../../require-session";

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
  const gate = await requireArea("instances");
  if (gate.forbidden) return gate.forbidden;
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const tab = tabFrom(query.tab);
  // The instance (and, on the overview, why it went where it is) as the view asks for them, so the
  // first paint shows the instance rather than a skeleton. Someone else's instance is not sent, and
  // the view says "not found" as before.
  await Promise.all([
    prefetch(trpc.instance.get.queryOptions({ id })),
    // The header's drift chip (every tab) and the overview's drift section: a stored verdict, one row.
    prefetch(trpc.drift.forInstance.queryOptions({ instanceId: id })),
    tab === "overview" && prefetch(trpc.instance.placement.queryOptions({ id })),
  ]);
  // The instance page is one client view (it polls); the tab comes from ?tab= so links can open a view.
  return (
    <HydrateClient>
      <InstanceView
        key={id}
        id={id}
        initialTab={tab}
        canMigrate={hasRole(gate.session.user.roles, Role.NEMO_ADMIN)}
      />
    </HydrateClient>
  );
}
