/**
 * REST drift of an instance (/api/v1/instance/{id}/drift/ and …/resync/):
 * thin, the same domain functions tRPC calls (src/server/drift).
 */
import { restHandler } from "@/server/api/rest";
import { rolesForArea } from "@/common/areas";
import { instanceDrift, resyncInstance } from "@/server/drift";

const roles = rolesForArea("instances");

/** GET /api/v1/instance/{id}/drift/ — the stored verdict: status, when checked, drifted objects and fields. */
export const instanceDriftRest = restHandler({ roles }, ({ db, user, params }) =>
  instanceDrift({ db, user }, params.id ?? ""),
);

/** POST /api/v1/instance/{id}/resync/ — re-apply the stored manifests; answers the new verdict. */
export const resyncInstanceRest = restHandler({ roles }, ({ db, user, params }) =>
  resyncInstance({ db, user }, params.id ?? ""),
);
