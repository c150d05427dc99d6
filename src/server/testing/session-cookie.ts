import { encode } from "next-auth/jwt";
import { requireNextAuthSecret, type SessionUser } from "@/server/auth";

/** The console's session cookie value for `user`, as next-auth writes it at sign-in. */
export function sessionCookie(user: SessionUser, signedInAt: number = Date.now()): Promise<string> {
  return encode({ token: { sub: user.subject, user, signedInAt }, secret: requireNextAuthSecret() });
}
