import { Role, hasAnyRole } from "./roles";

/**
 * The areas of the console and who may use them. The server enforces
 * the same rules in the tRPC procedures; this table drives the home tiles,
 * the page guards and the read-only state.
 */
export type AreaKey =
  "workloads" | "instances" | "intents" | "clusters" | "orchestration" | "accounting" | "failed-messages";

/** "manage": full use; "read": may look but not change; "none": no access. */
export type AreaAccess = "manage" | "read" | "none";

export interface Area {
  key: AreaKey;
  href: `/${AreaKey}`;
  title: string;
  description: string;
  /** Roles that may use the area fully. */
  manage: readonly Role[];
  /** Roles that may only look. */
  read: readonly Role[];
  /** An operator's tool: no locked home tile for those who cannot use it. */
  hiddenWithoutAccess?: boolean;
}

export const AREAS: readonly Area[] = [
  {
    key: "workloads",
    href: "/workloads",
    title: "Workload Monitoring",
    description: "Register workloads, upload their Helm charts and follow validation.",
    manage: [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER],
    read: [],
  },
  {
    key: "instances",
    href: "/instances",
    title: "Workload Instances",
    description: "Deploy workloads onto the continuum and inspect their lifecycle.",
    manage: [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER],
    read: [],
  },
  {
    key: "intents",
    href: "/intents",
    title: "Intent Management",
    description: "Attach intents to instances and see whether they are fulfilled.",
    manage: [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER],
    read: [],
  },
  {
    key: "clusters",
    href: "/clusters",
    title: "Resource Provisioning",
    description: "Register Kubernetes clusters, their capacity and their pricing.",
    manage: [Role.NEMO_ADMIN, Role.INFRASTRUCTURE_PROVIDER],
    read: [Role.SERVICE_PROVIDER],
  },
  {
    key: "orchestration",
    href: "/orchestration",
    title: "Orchestration",
    description: "Follow intent-based migrations between clusters, step by step.",
    // Admins move instances; service providers follow their instances' migrations,
    // infrastructure providers those leaving or reaching their clusters.
    manage: [Role.NEMO_ADMIN],
    read: [Role.SERVICE_PROVIDER, Role.INFRASTRUCTURE_PROVIDER],
  },
  {
    key: "accounting",
    href: "/accounting",
    title: "Accounting",
    description: "Credits earned and spent on the MOCA ledger: balances, charges, earnings and datasets.",
    // Every role has accounts of its own (workloads, clusters, datasets); admins see all of them.
    manage: [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER, Role.INFRASTRUCTURE_PROVIDER],
    read: [],
  },
  {
    key: "failed-messages",
    href: "/failed-messages",
    title: "Dead letters & failed messages",
    description: "Inspect, replay or discard messages the outbox or a consumer gave up on.",
    manage: [Role.NEMO_ADMIN],
    read: [],
    hiddenWithoutAccess: true,
  },
];

export function areaByKey(key: AreaKey): Area {
  const area = AREAS.find((a) => a.key === key);
  if (!area) throw new Error(`Unknown area "${key}"`);
  return area;
}

export function areaAccess(roles: readonly Role[], key: AreaKey): AreaAccess {
  const area = areaByKey(key);
  if (hasAnyRole(roles, area.manage)) return "manage";
  if (hasAnyRole(roles, area.read)) return "read";
  return "none";
}

export function canUseArea(roles: readonly Role[], key: AreaKey): boolean {
  return areaAccess(roles, key) !== "none";
}

/** The areas the home page shows as tiles: every one, locked or not, except operator tools the user cannot use. */
export function homeAreas(roles: readonly Role[]): readonly Area[] {
  return AREAS.filter((area) => !area.hiddenWithoutAccess || canUseArea(roles, area.key));
}

/** The areas the side navigation lists: only those the user may use (read or manage), in home-tile order. */
export function navAreas(roles: readonly Role[]): readonly Area[] {
  return AREAS.filter((area) => canUseArea(roles, area.key));
}

/** The area a console path belongs to (`/instances/42` → instances), if any. */
export function areaForPath(pathname: string): AreaKey | undefined {
  return AREAS.find((area) => pathname === area.href || pathname.startsWith(`${area.href}/`))?.key;
}

/** Every role that may at least look at the area (for procedure guards and messages). */
export function rolesForArea(key: AreaKey): Role[] {
  const area = areaByKey(key);
  return [...area.manage, ...area.read];
}
