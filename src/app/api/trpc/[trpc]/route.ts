import { trpcHttpHandler } from "@/server/api/trpc-http";

export { trpcHttpHandler as GET, trpcHttpHandler as POST };
