/**
 * REST for the deployment tree's drawer (/api/v1/instance/{id}/pods/…/logs/,
 * …/events/, …/objects/{kind}/{name}/): the same domain calls as tRPC's
 * `instanceInspection` router. Who may read is the domain's rule (owner,
 * admins, the infrastructure provider of the instance's cluster; anyone else
 * 404); 409 when the instance has nothing on a cluster.
 */
import { z } from "zod";
import { Role } from "@/common/roles";
import { restHandler } from "@/server/api/rest";
import { POD_LOG_LIMITS } from "@/server/clusters";
import { instanceEvents, instanceLiveObject, instancePodLogs } from "@/server/instances";

/** Who gets past the role check; ownership is the domain's. */
export const INSPECTION_ROLES = [
  Role.NEMO_ADMIN,
  Role.SERVICE_PROVIDER,
  Role.INFRASTRUCTURE_PROVIDER,
] as const;

export const podLogsQuery = z.object({
  container: z.string().max(63).optional().describe("Container name; the pod's first container by default."),
  tailLines: z.coerce
    .number()
    .int()
    .min(1)
    .max(POD_LOG_LIMITS.maxTailLines)
    .optional()
    .describe(`Lines from the end (default ${POD_LOG_LIMITS.defaultTailLines} without sinceCursor).`),
  sinceCursor: z
    .string()
    .max(64)
    .optional()
    .describe("The `cursor` of an earlier answer: only lines written after it (follow by polling)."),
});

export const eventsQuery = z.object({
  kind: z.string().max(63).optional().describe("Kind of the object the events are about (with `name`)."),
  name: z.string().max(253).optional().describe("Name of the object the events are about (with `kind`)."),
});

export const liveObjectQuery = z.object({
  apiVersion: z
    .string()
    .max(128)
    .optional()
    .describe("The object's apiVersion; needed only for kinds other than the built-in ones."),
});

/** GET /api/v1/instance/{id}/pods/{pod}/logs/ — a container's last lines, or those after `sinceCursor`. */
export const instancePodLogsRest = restHandler(
  { roles: INSPECTION_ROLES, query: podLogsQuery },
  ({ db, user, params, query }) =>
    instancePodLogs({ db, user }, { id: params.id ?? "", pod: params.pod ?? "", ...query }),
);

/** GET /api/v1/instance/{id}/events/ — Kubernetes events of the instance's namespace or of one object. */
export const instanceEventsRest = restHandler(
  { roles: INSPECTION_ROLES, query: eventsQuery },
  ({ db, user, params, query }) => instanceEvents({ db, user }, { id: params.id ?? "", ...query }),
);

/** GET /api/v1/instance/{id}/objects/{kind}/{name}/ — the object as its cluster holds it; Secret values redacted. */
export const instanceLiveObjectRest = restHandler(
  { roles: INSPECTION_ROLES, query: liveObjectQuery },
  ({ db, user, params, query }) =>
    instanceLiveObject(
      { db, user },
      { id: params.id ?? "", kind: params.kind ?? "", name: params.name ?? "", ...query },
    ),
);
