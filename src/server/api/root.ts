import { accountingRouter } from "@/server/api/routers/accounting";
import { cfdrlRouter } from "@/server/api/routers/cfdrl";
import { clusterRouter } from "@/server/api/routers/cluster";
import { datasetRouter } from "@/server/api/routers/dataset";
import { driftRouter } from "@/server/api/routers/drift";
import { failedMessageRouter } from "@/server/api/routers/failed-message";
import { instanceRouter } from "@/server/api/routers/instance";
import { instanceInspectionRouter } from "@/server/api/routers/instance-inspection";
import { intentRouter } from "@/server/api/routers/intent";
import { migrationRouter } from "@/server/api/routers/migration";
import { notificationRouter } from "@/server/api/routers/notification";
import { sessionRouter } from "@/server/api/routers/session";
import { workloadRouter } from "@/server/api/routers/workload";
import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";

/** The BFF: one router per noun. */
export const appRouter = createTRPCRouter({
  session: sessionRouter,
  workload: workloadRouter,
  instance: instanceRouter,
  instanceInspection: instanceInspectionRouter,
  drift: driftRouter,
  intent: intentRouter,
  cluster: clusterRouter,
  migration: migrationRouter,
  failedMessage: failedMessageRouter,
  notification: notificationRouter,
  accounting: accountingRouter,
  dataset: datasetRouter,
  cfdrl: cfdrlRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller (tests, server components): `createCaller(ctx).workload.list({...})`. */
export const createCaller = createCallerFactory(appRouter);
