import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { FailedMessagesTable } from "@/components/failed-messages/FailedMessagesTable";
import {
  FAILED_MESSAGE_LIST,
  failedMessageListInput,
  NO_FILTERS,
} from "@/components/failed-messages/list-query";
import { HydrateClient, prefetch, trpc } from "@/trpc/server";
import { requireArea } from "../require-session";

export const metadata: Metadata = { title: "Dead letters & failed messages" };

/**
 * Messages the platform gave up on — outbox rows the relay could not
 * publish and consumers' dead letters — for NEMO admins to inspect, replay
 * or discard.
 */
export default async function FailedMessagesPage() {
  const gate = await requireArea("failed-messages", "manage");
  if (gate.forbidden) return gate.forbidden;
  await prefetch(
    trpc.failedMessage.list.queryOptions(failedMessageListInput(FAILED_MESSAGE_LIST, NO_FILTERS)),
  );
  return (
    <AreaPage areaKey="failed-messages" access={gate.access}>
      <HydrateClient>
        <FailedMessagesTable />
      </HydrateClient>
    </AreaPage>
  );
}
