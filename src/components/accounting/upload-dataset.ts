import type { DatasetItem } from "@/server/api/routers/dataset";

/**
 * Sends a dataset to POST /api/v1/dataset/upload/ (the endpoint REST clients
 * use). XMLHttpRequest rather than fetch: only XHR reports upload progress.
 */
export type DatasetUploadOutcome =
  { ok: true; dataset: DatasetItem } | { ok: false; status: number; message: string; field: string | null };

export interface DatasetFields {
  type: string;
  description: string;
  metadata: string;
}

export function uploadDataset(
  fields: DatasetFields,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<DatasetUploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/dataset/upload/");
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = (xhr.response ?? {}) as { message?: unknown; field?: unknown };
      if (xhr.status === 201) {
        resolve({ ok: true, dataset: xhr.response as DatasetItem });
        return;
      }
      resolve({
        ok: false,
        status: xhr.status,
        message: typeof body.message === "string" ? body.message : `The upload failed (HTTP ${xhr.status}).`,
        field: typeof body.field === "string" ? body.field : null,
      });
    };
    xhr.onerror = () =>
      resolve({
        ok: false,
        status: 0,
        message: "The upload failed: the server could not be reached.",
        field: null,
      });
    const form = new FormData();
    form.set("type", fields.type);
    form.set("description", fields.description);
    form.set("metadata", fields.metadata);
    form.set("file", file, file.name);
    xhr.send(form);
  });
}
