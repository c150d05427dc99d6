/**
 * Paths under /api/v1 that no route serves (src/app/api/v1/[...rest]): the
 * API's JSON error instead of the console's HTML 404 page, for every method
 * and every caller. Nothing is read or authenticated first: there is nothing
 * here to protect, and an unknown path is 404 whoever asks.
 */
import { errorResponse, RestError } from "@/server/api/rest";

export function unknownApiRoute(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  return Promise.resolve(
    errorResponse(
      new RestError(
        404,
        "not_found",
        `No API route ${request.method} ${pathname}. The routes are listed at /api/v1/docs.`,
      ),
    ),
  );
}
