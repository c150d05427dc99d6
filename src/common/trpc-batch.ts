/**
 * Most calls the console's tRPC client puts in one HTTP batch
 * (`httpBatchLink` `maxItems`). The server's cap (`NEMO_TRPC_MAX_BATCH`) may
 * not be lower, so the console never hits it.
 */
export const TRPC_CONSOLE_BATCH_ITEMS = 10;
