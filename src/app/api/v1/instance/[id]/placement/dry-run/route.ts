import { instanceDryRunRest } from "@/server/api/v1/instance";

/** POST /api/v1/instance/{id}/placement/dry-run/ — see src/server/api/v1/instance.ts. */
export const POST = instanceDryRunRest;
