/**
 * The datasets part of the OpenAPI document (/api/v1/dataset/…): paths, tag
 * and component schemas, merged by openapi.ts. The list's parameters come
 * from the zod schema the handler validates with; the upload's fields from the
 * domain's field schema.
 */
import { z } from "zod";
import { DATASET_REWARD_UNITS, datasetFieldsSchema, datasetLimits } from "@/server/datasets";
import { describeBytes } from "@/server/edge";
import { datasetListQuery } from "./dataset";
import {
  componentSchemas,
  errorResponse,
  json,
  listQueryParameters,
  ref,
  uuidPathParameter,
  type JsonObject,
} from "./openapi-parts";

const datasetSchema = z.object({
  id: z.uuid(),
  type: z.string().describe("What kind of data (at most 40 characters)."),
  description: z.string().describe("At most 80 characters."),
  metadata: z.string().describe("Free text, at most 55 characters."),
  fileName: z.string().describe("The uploaded file's name, without directories (at most 255 characters)."),
  sizeBytes: z.number().int(),
  sha256: z.string().describe("Hex SHA-256 of the file, computed while it streamed in."),
  rewardUnits: z
    .string()
    .describe(
      `Units (1 token = 10^8) this upload earned its provider: ${DATASET_REWARD_UNITS} (10 tokens) the first ` +
        'time the provider uploads this file, "0" afterwards (also after deleting it).',
    ),
  rewardSequence: z
    .string()
    .nullable()
    .describe("The reward's ledger transaction sequence, if it earned one."),
  owner: z.object({ id: z.uuid(), username: z.string() }),
  createdAt: z.iso.datetime(),
});

const datasetPageSchema = z.object({
  items: z.array(datasetSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export function datasetComponents(): JsonObject {
  return {
    ...componentSchemas([
      ["Dataset", datasetSchema],
      ["DatasetPage", datasetPageSchema],
    ]),
    DatasetUpload: {
      type: "object",
      required: ["type", "file"],
      properties: {
        ...(z.toJSONSchema(datasetFieldsSchema, { target: "draft-2020-12", io: "input" })
          .properties as JsonObject),
        file: { type: "string", format: "binary", description: "The dataset's file." },
      },
    },
  };
}

export const datasetTags = [
  {
    name: "dataset",
    description:
      "Datasets users provide (the MOCA Data rule): stored in the object store, each distinct file rewards " +
      "its provider 10 tokens once. Every role may provide datasets and sees its own; admins see all.",
  },
];

const ERRORS = {
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse("The caller has none of the console's roles."),
};
const ID_ERRORS = {
  "400": errorResponse("Not a dataset id (`field`: id)."),
  ...ERRORS,
  "404": errorResponse("No such dataset, or it is another user's."),
};

export function datasetPaths(): JsonObject {
  const limits = datasetLimits();
  const idParameter = uuidPathParameter("The dataset's id.");
  return {
    "/api/v1/dataset/": {
      get: {
        tags: ["dataset"],
        operationId: "listDatasets",
        summary: "List your datasets",
        description: "One page of the caller's datasets (an admin: everyone's), newest first by default.",
        parameters: listQueryParameters(datasetListQuery.shape),
        responses: {
          "200": { description: "One page.", content: json(ref("DatasetPage")) },
          "400": errorResponse("Invalid query parameter; `field` names it."),
          ...ERRORS,
        },
      },
    },
    "/api/v1/dataset/upload/": {
      post: {
        tags: ["dataset"],
        operationId: "uploadDataset",
        summary: "Upload a dataset",
        description:
          "Streams the file into the object store, computing its SHA-256 and size on the way, and rewards " +
          "the caller 10 tokens on the ledger the first time they provide this file. Limits: " +
          `${describeBytes(limits.maxBytes)} per file (DATASET_MAX_BYTES), ${limits.maxPerUser} datasets per ` +
          "user (DATASET_MAX_PER_USER).",
        requestBody: { required: true, content: { "multipart/form-data": { schema: ref("DatasetUpload") } } },
        responses: {
          "201": {
            description: "Stored. `Location` is the dataset's URL; `rewardUnits` says what it earned.",
            headers: { Location: { schema: { type: "string" } } },
            content: json(ref("Dataset")),
          },
          "400": errorResponse(
            "Not multipart, a field missing or too long (`field` names it), an empty file, or the caller " +
              "already keeps the most datasets allowed.",
          ),
          ...ERRORS,
          "413": errorResponse("The file is larger than the limit (counted while it streams in)."),
          "415": errorResponse("The body is not multipart/form-data."),
          "503": {
            ...errorResponse(
              "The object store failed (nothing was stored or credited), or the database cannot be reached: retry.",
            ),
            headers: {
              "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } },
            },
          },
        },
      },
    },
    "/api/v1/dataset/{id}/": {
      parameters: [idParameter],
      get: {
        tags: ["dataset"],
        operationId: "getDataset",
        summary: "Read a dataset",
        responses: { "200": { description: "The dataset.", content: json(ref("Dataset")) }, ...ID_ERRORS },
      },
      delete: {
        tags: ["dataset"],
        operationId: "deleteDataset",
        summary: "Delete a dataset",
        description: "Removes the dataset and its file (owner or admin). Its reward stays on the ledger.",
        responses: { "204": { description: "Deleted." }, ...ID_ERRORS },
      },
    },
    "/api/v1/dataset/{id}/download/": {
      parameters: [idParameter],
      get: {
        tags: ["dataset"],
        operationId: "downloadDataset",
        summary: "Download a dataset's file",
        description:
          "The stored bytes as application/octet-stream (owner or admin); `X-Dataset-Sha256` carries its hash.",
        responses: {
          "200": {
            description: "The file.",
            content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
          },
          ...ID_ERRORS,
        },
      },
    },
  };
}
