/**
 * The server side of the tRPC + TanStack Query setup (T3 style), for server
 * components only: the request's session, a tRPC caller and options proxy
 * over the app router with the request's context, a per-request query
 * client, and `HydrateClient`, which hands what a page prefetched to the
 * browser's query client so the first paint already shows the data.
 *
 * Pages and layouts reach the server through this module (and
 * `require-session`); the import rules in eslint.config.mjs keep other
 * value imports of `src/server` out of `src/app` and `src/components`.
 */
import {
  dehydrate,
  HydrationBoundary,
  type FetchQueryOptions,
  type QueryClient,
  type QueryKey,
} from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { connection } from "next/server";
import { cache, createElement, type ReactNode } from "react";
import { appRouter, createCaller } from "@/server/api/root";
import type { TRPCContext } from "@/server/api/trpc";
import { getServerAuthSession } from "@/server/auth/config";
import type { AuthSession } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { createQueryClient } from "./query-client";

// The `server-only` package is not a dependency: fail loudly instead if a client bundle pulls this in.
if (typeof window !== "undefined") {
  throw new Error("src/trpc/server.ts is server-only: import it from server components, not client ones.");
}

/** The signed-in user of this request (next-auth), read once however many components ask. */
export const getSession = cache(async (): Promise<AuthSession | null> => {
  // A session belongs to a request: waiting for one first keeps `next build` from prerendering
  // a caller (the root layout under /_not-found) and so from needing the runtime secrets.
  await connection();
  return getServerAuthSession();
});

/** The same context the HTTP handler builds, so a server-side call sees what the browser's would. */
const createContext = cache(async (): Promise<TRPCContext> => ({
  db: db(),
  session: await getSession(),
  headers: new Headers(await headers()),
}));

/** One query client per request: what the page prefetches is what `HydrateClient` sends. */
export const getQueryClient: () => QueryClient = cache(createQueryClient);

/** `trpc.instance.get.queryOptions({ id })` on the server: the browser's query keys, answered in-process. */
export const trpc = createTRPCOptionsProxy({
  router: appRouter,
  ctx: createContext,
  queryClient: getQueryClient,
});

/** A direct caller for data the page itself needs (a title, a 404), with the request's context. */
export const serverCaller = cache(async () => createCaller(await createContext()));

/**
 * Fetches a query the page's client components ask for on their first
 * render into the request's query client (`await Promise.all([...])` for
 * several). Awaited, so the server HTML carries the rows rather than a
 * skeleton; a failed query is not sent and the browser asks again (and
 * shows the error as before).
 */
export async function prefetch<TQueryFnData, TError, TData, TQueryKey extends QueryKey>(
  options: FetchQueryOptions<TQueryFnData, TError, TData, TQueryKey>,
): Promise<void> {
  await getQueryClient().prefetchQuery(options);
}

/** Wraps a page's client components with the request's prefetched queries (dehydrated with SuperJSON). */
export function HydrateClient({ children }: { children: ReactNode }) {
  return createElement(HydrationBoundary, { state: dehydrate(getQueryClient()) }, children);
}
