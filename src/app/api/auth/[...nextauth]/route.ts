import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { authOptions } from "@/server/auth/config";
import { BodyTooLarge, withCappedBody } from "@/server/edge";

type Handler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

/** Sign-in, callback and sign-out forms are a few hundred bytes; nothing here needs more. */
const MAX_AUTH_BODY_BYTES = 64 * 1024;

let handler: Handler | undefined;

// Built on the first request, not at import: `next build` loads this module without the runtime secrets.
async function auth(
  request: Request,
  context: { params: Promise<{ nextauth: string[] }> },
): Promise<Response> {
  let capped: Request;
  try {
    capped = await withCappedBody(request, MAX_AUTH_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    return Response.json(
      { error: "payload_too_large", message: error.message },
      { status: 413, headers: { "cache-control": "no-store" } },
    );
  }
  handler ??= NextAuth(authOptions()) as Handler;
  // next-auth reads `nextUrl`: hand it a NextRequest again.
  return handler(capped === request ? request : new NextRequest(capped), context);
}

export { auth as GET, auth as POST };
