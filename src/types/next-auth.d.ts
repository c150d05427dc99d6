import type { SessionUser } from "@/server/auth/session";

declare module "next-auth" {
  interface Session {
    user: SessionUser;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /**
     * Our user as of sign-in. Only `id` is trusted: roles and the rest are
     * re-read from the `users` table (src/server/auth/session-users.ts).
     */
    user?: SessionUser;
    /** Sign-in time (epoch ms), for the absolute session lifetime. */
    signedInAt?: number;
    /** Kept server-side only, for the logout id_token_hint. */
    idToken?: string;
  }
}
