/**
 * REST Intent-Based API, cluster part (/api/v1/cluster/…). Thin: parse the
 * HTTP request, call the same domain functions tRPC calls, shape the answer.
 * Who may see or manage which cluster, and the error statuses, are the
 * domain's. No answer ever carries the kubeconfig.
 */
import { rolesForArea } from "@/common/areas";
import { created, restHandler, RestError } from "@/server/api/rest";
import { clusterIdOrNotFound, getCluster, getClusterMetrics, listClusters } from "@/server/clusters";
import { deregisterCluster, MAX_KUBECONFIG_BYTES, registerCluster } from "@/server/clusters";
import { clusterDrainStatus, drainCluster, uncordonCluster } from "@/server/cluster-migration";

const roles = rolesForArea("clusters");

/** The multipart field (or JSON property) the kubeconfig travels in. */
export const KUBECONFIG_FIELD = "kubeconfig";

/** Room for the other form fields around the largest allowed kubeconfig. */
const MAX_REGISTER_BODY = MAX_KUBECONFIG_BYTES + 64 * 1024;

/**
 * A boolean query parameter: "true" / "false" (or "1" / "0") become booleans;
 * anything else stays text, which the list's schema answers with a 400 naming it.
 */
export function withBooleanParam(
  query: Record<string, unknown>,
  url: URL,
  name: string,
): Record<string, unknown> {
  const value = url.searchParams.get(name);
  if (value === null) return query;
  const text = value.trim().toLowerCase();
  if (text === "true" || text === "1") return { ...query, [name]: true };
  if (text === "false" || text === "0" || text === "") return { ...query, [name]: false };
  return query;
}

/** Query strings carry text; the list's page and page size are numbers. */
function listQuery(url: URL): Record<string, unknown> {
  const query: Record<string, unknown> = Object.fromEntries(url.searchParams);
  for (const key of ["page", "pageSize"] as const) {
    const value = url.searchParams.get(key);
    if (value !== null && value.trim() !== "") query[key] = Number(value);
  }
  return withBooleanParam(query, url, "showInactive");
}

/** GET /api/v1/cluster/?page=&pageSize=&sort=&direction=&search= — the clusters the caller may see. */
export const listClustersRest = restHandler({ roles }, ({ db, user, request }) =>
  listClusters(db, user, listQuery(new URL(request.url))),
);

function tooLarge(): RestError {
  return new RestError(
    413,
    "payload_too_large",
    `The registration is larger than ${MAX_REGISTER_BODY / 1024} KiB; a kubeconfig has at most ${MAX_KUBECONFIG_BYTES / 1024} KiB.`,
    KUBECONFIG_FIELD,
  );
}

/** The registration form from a multipart body: the kubeconfig as a file (or text), the rest as text. */
async function readMultipart(request: Request): Promise<Record<string, unknown>> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new RestError(400, "bad_request", "The multipart body could not be read.", null);
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === "string") fields[key] = value;
    else if (key === KUBECONFIG_FIELD) {
      if (value.size > MAX_KUBECONFIG_BYTES) throw tooLarge();
      fields[key] = await value.text();
    } else {
      throw new RestError(400, "bad_request", `Only ${KUBECONFIG_FIELD} may be a file.`, key);
    }
  }
  return fields;
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return (await request.json()) as unknown;
  } catch {
    throw new RestError(400, "bad_request", "The request body is not valid JSON.", null);
  }
}

/**
 * POST /api/v1/cluster/ — register a cluster (PENDING; the MO answers the
 * join). JSON with `kubeconfig` as a string, or multipart/form-data with a
 * `kubeconfig` file. 201 with the cluster and its location.
 */
export const registerClusterRest = restHandler(
  {
    roles,
    maxBodyBytes: MAX_REGISTER_BODY,
    bodyTooLarge: tooLarge,
    accepts: ["application/json", "multipart/form-data"],
  },
  async ({ db, user, request }) => {
    const declared = Number(request.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > MAX_REGISTER_BODY) throw tooLarge();
    const contentType = (request.headers.get("content-type") ?? "").toLowerCase();
    const input = contentType.startsWith("multipart/form-data")
      ? await readMultipart(request)
      : await readJson(request);
    const cluster = await registerCluster(db, user, input);
    return created(cluster, `/api/v1/cluster/${cluster.id}/`);
  },
);

/** GET /api/v1/cluster/{id}/ */
export const getClusterRest = restHandler({ roles }, ({ db, user, params }) =>
  getCluster(db, user, params.id),
);

/** DELETE /api/v1/cluster/{id}/ — deregister; 409 while instances run on it. */
export const deregisterClusterRest = restHandler({ roles }, ({ db, user, params }) =>
  deregisterCluster(db, user, clusterIdOrNotFound(params.id)),
);

/** GET /api/v1/cluster/{id}/metrics/?range=live|hour|day — usage samples, oldest first. */
export const clusterMetricsRest = restHandler({ roles }, ({ db, user, params, request }) =>
  getClusterMetrics(db, user, {
    clusterId: clusterIdOrNotFound(params.id),
    range: new URL(request.url).searchParams.get("range") ?? undefined,
  }),
);

/**
 * POST /api/v1/cluster/{id}/drain/ — cordon the cluster and migrate every
 * instance on it away; 200 with the drain's progress. Again: retries what is left.
 */
export const drainClusterRest = restHandler({ roles }, ({ db, user, params }) =>
  drainCluster({ db, user }, clusterIdOrNotFound(params.id)),
);

/** GET /api/v1/cluster/{id}/drain/ — the drain's progress. */
export const clusterDrainStatusRest = restHandler({ roles }, ({ db, user, params }) =>
  clusterDrainStatus({ db, user }, clusterIdOrNotFound(params.id)),
);

/** POST /api/v1/cluster/{id}/uncordon/ — the cluster takes placements again; 200 with the cluster. */
export const uncordonClusterRest = restHandler({ roles }, ({ db, user, params }) =>
  uncordonCluster({ db, user }, clusterIdOrNotFound(params.id)),
);
