import type { ChartUploadResult } from "@/server/workloads/schemas";
import type { Problem } from "@/server/errors";

/**
 * Sends a chart to POST /api/v1/workload/upload/ (the same endpoint REST
 * clients use). XMLHttpRequest rather than fetch, because only XHR reports
 * upload progress for the progress bar.
 */
export type UploadOutcome =
  | { ok: true; result: ChartUploadResult }
  | { ok: false; status: number; message: string; problems: Problem[] };

export interface UploadProgress {
  loaded: number;
  total: number;
}

interface ErrorBody {
  message?: unknown;
  problems?: unknown;
}

export function uploadChart(
  workloadId: number,
  file: File,
  onProgress: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/workload/upload/");
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total });
    };
    xhr.onload = () => {
      const body = xhr.response as unknown;
      if (xhr.status === 200 && body && typeof body === "object") {
        resolve({ ok: true, result: body as ChartUploadResult });
        return;
      }
      const error = (body && typeof body === "object" ? body : {}) as ErrorBody;
      resolve({
        ok: false,
        status: xhr.status,
        message:
          typeof error.message === "string"
            ? error.message
            : `The upload failed (HTTP ${xhr.status || "error"}).`,
        problems: Array.isArray(error.problems) ? (error.problems as Problem[]) : [],
      });
    };
    xhr.onerror = () =>
      resolve({
        ok: false,
        status: 0,
        message: "The upload failed: the server could not be reached.",
        problems: [],
      });
    xhr.onabort = () => resolve({ ok: false, status: 0, message: "The upload was cancelled.", problems: [] });
    signal?.addEventListener("abort", () => xhr.abort());
    const form = new FormData();
    form.set("workload_id", String(workloadId));
    form.set("file", file, file.name);
    xhr.send(form);
  });
}
