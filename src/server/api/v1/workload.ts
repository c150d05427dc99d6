/**
 * REST Intent-Based API, workload part (/api/v1/workload/…). Thin: parse the
 * HTTP request, call the same domain functions tRPC calls, shape the answer.
 * Role and ownership rules are the domain's; so are the error statuses.
 */
import { rolesForArea } from "@/common/areas";
import { Role } from "@/common/roles";
import { DomainError } from "@/server/errors";
import { created, restHandler, RestError } from "@/server/api/rest";
import {
  archiveWorkload,
  unarchiveWorkload,
  ARCHIVE_FIELD,
  CHART_ARCHIVE_LIMITS,
  clusterScopedApprovalSchema,
  createWorkload,
  deleteWorkload,
  getWorkload,
  listWorkloads,
  patchWorkload,
  renderWorkload,
  replaceWorkload,
  setClusterScopedApproval,
  uploadChart,
  workloadCreateSchema,
  workloadListQuery,
  workloadPatchSchema,
} from "@/server/workloads";
import { describeProblem } from "@/server/workloads";

const roles = rolesForArea("workloads");

/** The multipart field naming the workload a chart is for (the NEMO IBA's name for it). */
export const WORKLOAD_ID_FIELD = "workload_id";

/** Room for the multipart framing and the workload id around the largest allowed archive. */
const MAX_UPLOAD_BODY = CHART_ARCHIVE_LIMITS.maxCompressedBytes + 64 * 1024;

const tooLarge = () =>
  new RestError(
    413,
    "payload_too_large",
    `The chart archive is larger than ${CHART_ARCHIVE_LIMITS.maxCompressedBytes / (1024 * 1024)} MiB.`,
    ARCHIVE_FIELD,
  );

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RestError(400, "bad_request", "The request body is not valid JSON.", null);
  }
}

/** GET /api/v1/workload/ — one page of the caller's workloads (all, for an admin). */
export const listWorkloadsRest = restHandler({ roles, query: workloadListQuery }, ({ db, user, query }) =>
  listWorkloads({ db, user }, query),
);

/** POST /api/v1/workload/ — register a workload (PENDING). */
export const createWorkloadRest = restHandler(
  { roles, body: workloadCreateSchema },
  async ({ db, user, body }) => {
    const workload = await createWorkload({ db, user }, body);
    return created(workload, `/api/v1/workload/${workload.id}/`);
  },
);

/** GET /api/v1/workload/{id}/ */
export const getWorkloadRest = restHandler({ roles }, ({ db, user, params }) =>
  getWorkload({ db, user }, params.id),
);

/** PUT /api/v1/workload/{id}/ — replace every field of a PENDING workload. */
export const putWorkloadRest = restHandler(
  { roles, body: workloadCreateSchema },
  ({ db, user, params, body }) => replaceWorkload({ db, user }, params.id, body),
);

/** PATCH /api/v1/workload/{id}/ — change some fields of a PENDING workload. */
export const patchWorkloadRest = restHandler(
  { roles, body: workloadPatchSchema },
  ({ db, user, params, body }) => patchWorkload({ db, user }, params.id, body),
);

/** PUT /api/v1/workload/{id}/cluster-scoped-approval/ — admins: `{approved}` (audited). */
export const clusterScopedApprovalRest = restHandler(
  { roles: [Role.NEMO_ADMIN], body: clusterScopedApprovalSchema },
  ({ db, user, params, body }) => setClusterScopedApproval({ db, user }, params.id, body),
);

/** DELETE /api/v1/workload/{id}/ — only while PENDING. */
export const deleteWorkloadRest = restHandler({ roles }, async ({ db, user, params }) => {
  await deleteWorkload({ db, user }, params.id);
  return new Response(null, { status: 204 });
});

/**
 * POST /api/v1/workload/upload/ — multipart `workload_id` + `file` (.tgz).
 * The console's upload dialog uses it too (XHR, for the progress bar).
 */
export const uploadChartRest = restHandler(
  { roles, maxBodyBytes: MAX_UPLOAD_BODY, bodyTooLarge: tooLarge },
  async ({ request, db, user }) => {
    const contentType = request.headers.get("content-type") ?? "";
    if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
      throw new RestError(
        400,
        "bad_request",
        `Send the chart as multipart/form-data with the fields ${WORKLOAD_ID_FIELD} and ${ARCHIVE_FIELD}.`,
        ARCHIVE_FIELD,
      );
    }
    let form: FormData;
    try {
      // restHandler has already read the body within MAX_UPLOAD_BODY (413 past it, chunked or not).
      form = await request.formData();
    } catch {
      throw new RestError(400, "bad_request", "The multipart body could not be read.", ARCHIVE_FIELD);
    }
    const workloadId = form.get(WORKLOAD_ID_FIELD);
    if (typeof workloadId !== "string" || workloadId.trim() === "") {
      throw new RestError(
        400,
        "bad_request",
        "Name the workload in the field workload_id.",
        WORKLOAD_ID_FIELD,
      );
    }
    const file = form.get(ARCHIVE_FIELD);
    if (file === null || typeof file === "string") {
      throw new RestError(
        400,
        "bad_request",
        "Attach the packaged chart (.tgz) in the field file.",
        ARCHIVE_FIELD,
      );
    }
    const archive = new Uint8Array(await file.arrayBuffer());
    try {
      return await uploadChart({ db, user }, workloadId.trim(), archive);
    } catch (error) {
      // The id came from a form field: an error about it names workload_id, not a path segment.
      if (error instanceof DomainError && error.field === "id") {
        throw new DomainError(error.kind, error.message, WORKLOAD_ID_FIELD, error.problems);
      }
      throw error;
    }
  },
);

/**
 * POST /api/v1/workload/{id}/template/ — render the chart with options
 * (`helm template`). A chart or values problem answers 422 with every problem.
 */
export const templateWorkloadRest = restHandler(
  { roles, accepts: ["application/json"] },
  async ({ request, db, user, params }) => {
    const options = await readJson(request);
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new RestError(
        400,
        "bad_request",
        "The request body must be a JSON object of render options.",
        null,
      );
    }
    const outcome = await renderWorkload({ db, user }, params.id, options);
    if (!outcome.ok) {
      const first = outcome.errors[0] ?? { message: "The chart failed to render." };
      throw new RestError(
        422,
        "unprocessable_entity",
        describeProblem(first),
        first.field ?? null,
        outcome.errors,
      );
    }
    return outcome;
  },
);

/** POST /api/v1/workload/{id}/archive/ — archive an accepted workload without live instances (409 otherwise). */
export const archiveWorkloadRest = restHandler({ roles }, ({ db, user, params }) =>
  archiveWorkload({ db, user }, params.id),
);

/** POST /api/v1/workload/{id}/unarchive/ — the workload is listed and takes instances again. */
export const unarchiveWorkloadRest = restHandler({ roles }, ({ db, user, params }) =>
  unarchiveWorkload({ db, user }, params.id),
);
