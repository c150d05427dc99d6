import { describe, expect, it } from "vitest";
import { InstanceStatus } from "@/generated/prisma/enums";
import {
  INSTANCE_STATUSES,
  INSTANCE_TRANSITIONS,
  isChangeable,
  isDeletable,
  isRetryable,
  isTransitional,
  ON_CLUSTER_STATUSES,
} from "./instance-status";

describe("instance statuses", () => {
  it("lists every status of the database enum once, in lifecycle order", () => {
    expect([...INSTANCE_STATUSES].sort()).toEqual(Object.values(InstanceStatus).sort());
    expect(new Set(INSTANCE_STATUSES).size).toBe(INSTANCE_STATUSES.length);
  });

  it("reaches every status from CREATED and ends only in DELETED", () => {
    const seen = new Set<InstanceStatus>(["CREATED"]);
    const queue: InstanceStatus[] = ["CREATED"];
    while (queue.length > 0) {
      for (const next of INSTANCE_TRANSITIONS[queue.shift()!]) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    expect([...seen].sort()).toEqual([...INSTANCE_STATUSES].sort());
    const terminal = INSTANCE_STATUSES.filter((s) => INSTANCE_TRANSITIONS[s].length === 0);
    expect(terminal).toEqual(["DELETED"]);
  });

  it("lets a user delete an instance only when nothing is moving it", () => {
    expect(INSTANCE_STATUSES.filter(isDeletable)).toEqual(["CREATED", "RENDERED", "DEPLOYED", "FAILED"]);
  });

  it("retries only a FAILED instance, and changes only a DEPLOYED one, both through legal moves", () => {
    expect(INSTANCE_STATUSES.filter(isRetryable)).toEqual(["FAILED"]);
    expect(INSTANCE_STATUSES.filter(isChangeable)).toEqual(["DEPLOYED"]);
    expect(INSTANCE_TRANSITIONS.FAILED).toContain("RENDERED");
    expect(INSTANCE_TRANSITIONS.DEPLOYED).toContain("DEPLOYING");
  });

  it("keeps views polling while the orchestrator works, and counts on-cluster instances", () => {
    expect(INSTANCE_STATUSES.filter(isTransitional)).toEqual([
      "CREATED",
      "RENDERED",
      "DEPLOYING",
      "MIGRATING",
      "DELETING",
    ]);
    expect(ON_CLUSTER_STATUSES.every((s) => !["DELETED", "FAILED", "CREATED"].includes(s))).toBe(true);
  });
});
