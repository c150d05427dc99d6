import { describe, expect, it } from "vitest";
import { migrationReasonCell } from "./reason";

const instanceId = "6d1f0c2e-7a0b-4c55-9a44-0f3b2d8e1a10";
const intentId = "3f2a1b2c-0d4e-4f60-8a7b-9c8d7e6f5a4b";

describe("the Orchestration table's Reason cell", () => {
  it("names the intent target an intent-triggered migration was started for, linked to the intent's report", () => {
    // Such a migration has no failure reason: the cell used to say "—".
    const cell = migrationReasonCell({
      instanceId,
      reason: null,
      trigger: {
        kind: "intent",
        intentId,
        summary: "Intent 3f2a1b2c…: availability needs at least 95 %, observed 90 %",
      },
    });
    expect(cell).toEqual({
      trigger: {
        text: "Intent 3f2a1b2c…: availability needs at least 95 %, observed 90 %",
        href: `/intents?instanceId=${instanceId}&report=${intentId}`,
      },
      failure: null,
    });
  });

  it("says who asked for a Migrate now, without a link", () => {
    const cell = migrationReasonCell({
      instanceId,
      reason: null,
      trigger: { kind: "request", intentId: null, summary: "Requested by admin" },
    });
    expect(cell.trigger).toEqual({ text: "Requested by admin", href: null });
  });

  it("shows an infrastructure provider only that an intent triggered it, with nothing to open", () => {
    const cell = migrationReasonCell({
      instanceId,
      reason: null,
      trigger: { kind: "intent", intentId: null, summary: "Intent-triggered" },
    });
    expect(cell.trigger).toEqual({ text: "Intent-triggered", href: null });
  });

  it("keeps why a migration failed beside why it started", () => {
    const cell = migrationReasonCell({
      instanceId,
      reason: "Backup timed out",
      trigger: { kind: "request", intentId: null, summary: "Requested by admin" },
    });
    expect(cell).toEqual({
      trigger: { text: "Requested by admin", href: null },
      failure: "Backup timed out",
    });
  });

  it("has nothing to say for an older row that recorded neither", () => {
    expect(migrationReasonCell({ instanceId, reason: null, trigger: null })).toEqual({
      trigger: null,
      failure: null,
    });
  });
});
