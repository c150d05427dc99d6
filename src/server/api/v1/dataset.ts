/**
 * REST datasets part (/api/v1/dataset/…). Thin: the upload is streamed
 * through the domain's receiver (never held whole in memory; its cap is
 * enforced while it streams), then the same domain functions tRPC calls.
 */
import { Readable } from "node:stream";
import { z } from "zod";
import { ALL_ROLES } from "@/common/roles";
import { queryPageFields } from "@/common/pagination";
import { created, restHandler, RestError } from "@/server/api/rest";
import {
  assertMayUploadDataset,
  createDataset,
  datasetLimits,
  datasetListInput,
  datasetStore,
  deleteDataset,
  getDataset,
  listDatasets,
  ObjectStoreError,
  openDataset,
  receiveDatasetUpload,
} from "@/server/datasets";

const roles = ALL_ROLES;

export const datasetListQuery = z.object({
  ...queryPageFields,
  sort: datasetListInput.shape.sort,
  direction: datasetListInput.shape.direction,
  search: datasetListInput.shape.search,
});

/** GET /api/v1/dataset/ — the caller's datasets (all, for an admin). */
export const listDatasetsRest = restHandler({ roles, query: datasetListQuery }, ({ db, user, query }) =>
  listDatasets({ db, user }, query),
);

/**
 * POST /api/v1/dataset/upload/ — multipart `type`, `description`, `metadata`, `file`.
 * 201 with the dataset and the reward it earned; 413 past the size limit; 400
 * past the per-user count; 503 when the store fails (nothing stored or credited).
 */
export const uploadDatasetRest = restHandler(
  { roles, streamBody: true, accepts: ["multipart/form-data"] },
  async ({ request, db, user }) => {
    const deps = { db, user };
    // Before a byte of the file is read: a user at the count limit is told at once.
    await assertMayUploadDataset(deps);
    if (!request.body)
      throw new RestError(400, "bad_request", "Attach the dataset's file in the field file.", "file");
    const store = datasetStore();
    const received = await receiveDatasetUpload(request.body, {
      contentType: request.headers.get("content-type") ?? "",
      maxFileBytes: datasetLimits().maxBytes,
      incomingDir: store.incomingDir(),
    });
    try {
      const dataset = await createDataset({ ...deps, store }, received);
      return created(dataset, `/api/v1/dataset/${dataset.id}/`);
    } catch (error) {
      if (error instanceof ObjectStoreError) {
        throw new RestError(
          503,
          "unavailable",
          "The dataset store could not keep the file; nothing was stored or credited. Try again shortly.",
          "file",
          undefined,
          30,
        );
      }
      throw error;
    }
  },
);

/** GET /api/v1/dataset/{id}/ */
export const getDatasetRest = restHandler({ roles }, ({ db, user, params }) =>
  getDataset({ db, user }, params.id ?? ""),
);

/** DELETE /api/v1/dataset/{id}/ — owner or admin; the reward stays on the ledger. */
export const deleteDatasetRest = restHandler({ roles }, async ({ db, user, params }) => {
  await deleteDataset({ db, user }, params.id ?? "");
  return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
});

/** `filename*` (RFC 6266) so any name survives; the plain `filename` keeps ASCII only. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** GET /api/v1/dataset/{id}/download/ — the file, streamed from the store (owner or admin). */
export const downloadDatasetRest = restHandler({ roles }, async ({ db, user, params }) => {
  const { dataset, body } = await openDataset({ db, user }, params.id ?? "");
  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, {
    headers: {
      // Never the uploader's type: a stored file is not rendered by the browser as a page.
      "content-type": "application/octet-stream",
      "content-length": String(dataset.sizeBytes),
      "content-disposition": contentDisposition(dataset.fileName),
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
      "x-dataset-sha256": dataset.sha256,
    },
  });
});
