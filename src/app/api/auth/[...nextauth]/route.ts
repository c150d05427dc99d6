import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/config";

type Handler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

let handler: Handler | undefined;

// Built on the first request, not at import: `next build` loads this module without the runtime secrets.
function auth(request: Request, context: { params: Promise<{ nextauth: string[] }> }): Promise<Response> {
  handler ??= NextAuth(authOptions()) as Handler;
  return handler(request, context);
}

export { auth as GET, auth as POST };
