import { ALL_ROLES } from "@/common/roles";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  datasetIdInput,
  datasetListInput,
  datasetUsage,
  deleteDataset,
  getDataset,
  listDatasets,
} from "@/server/datasets";

export { datasetListInput };
export type { DatasetItem } from "@/server/datasets";

/**
 * Datasets for the console. Every role may provide datasets; the domain scopes
 * every call to the caller's own (admins: all). Upload is not a procedure: the
 * browser sends the file to POST /api/v1/dataset/upload/ (multipart, streamed,
 * with upload progress); download is GET /api/v1/dataset/{id}/download/.
 */
const datasetProcedure = roleProcedure(...ALL_ROLES);

export const datasetRouter = createTRPCRouter({
  list: datasetProcedure
    .input(datasetListInput)
    .query(({ ctx, input }) => listDatasets({ db: ctx.db, user: ctx.session.user }, input)),

  get: datasetProcedure
    .input(datasetIdInput)
    .query(({ ctx, input }) => getDataset({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** The caller's count against the limits (size per file, datasets per user). */
  usage: datasetProcedure.query(({ ctx }) => datasetUsage({ db: ctx.db, user: ctx.session.user })),

  delete: datasetProcedure
    .input(datasetIdInput)
    .mutation(({ ctx, input }) => deleteDataset({ db: ctx.db, user: ctx.session.user }, input.id)),
});
