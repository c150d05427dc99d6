import type { SessionUser } from "@/server/auth/session";

declare module "next-auth" {
  interface Session {
    user: SessionUser;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** Our user, fixed at sign-in (roles come from the identity provider then). */
    user?: SessionUser;
    /** Kept server-side only, for the logout id_token_hint. */
    idToken?: string;
  }
}
