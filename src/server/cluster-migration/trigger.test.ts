import { describe, expect, it } from "vitest";
import { makeCluster } from "@/server/testing/placement-factories";
import type { IntentTarget } from "@/server/placement";
import { hiddenTrigger, triggerSummary, triggerView, violatedTarget, type StoredTrigger } from "./trigger";
import { migrationStep } from "./state-machine";

const intentId = "3f2a1b2c-0d4e-4f60-8a7b-9c8d7e6f5a4b";
const target = (targetName: string, condition: IntentTarget["condition"], value: IntentTarget["value"]) => ({
  intentType: "Availability",
  targetName,
  condition,
  value,
});

describe("violatedTarget", () => {
  const cluster = makeCluster({ availabilityPct: 90, greenEnergyPct: 60, cost: "high_performance" });

  it("names the first target the cluster fails, with the value it offers", () => {
    expect(
      violatedTarget(cluster, [
        target("latency", "IS_LESS_THAN", 20), // not a cluster property: judged after deployment
        target("greenEnergy", "IS_EQUAL_TO_OR_GREATER_THAN", 50), // met
        target("availability", "IS_EQUAL_TO_OR_GREATER_THAN", 95),
        target("cost", "IS_EQUAL_TO", "low_cost"),
      ]),
    ).toEqual({
      name: "availability",
      condition: "IS_EQUAL_TO_OR_GREATER_THAN",
      value: 95,
      unit: "%",
      observed: 90,
    });
  });

  it("reads text properties without a unit", () => {
    expect(violatedTarget(cluster, [target("cost", "IS_EQUAL_TO", "low_cost")])).toEqual({
      name: "cost",
      condition: "IS_EQUAL_TO",
      value: "low_cost",
      unit: null,
      observed: "high_performance",
    });
  });

  it("is null when every target is met or the cluster is unknown", () => {
    expect(violatedTarget(cluster, [target("availability", "IS_GREATER_THAN", 80)])).toBeNull();
    expect(violatedTarget(undefined, [target("availability", "IS_GREATER_THAN", 95)])).toBeNull();
  });
});

describe("triggerSummary", () => {
  const intent = (over: Partial<Extract<StoredTrigger, { kind: "intent" }>> = {}): StoredTrigger => ({
    kind: "intent",
    intentId,
    intentType: "Availability",
    action: "violated",
    reportId: "42",
    target: {
      name: "availability",
      condition: "IS_EQUAL_TO_OR_GREATER_THAN",
      value: 95,
      unit: "%",
      observed: 90,
    },
    ...over,
  });

  it("reads as the intent, the requirement and what was observed", () => {
    expect(triggerSummary(intent())).toBe(
      "Availability intent 3f2a1b2c…: availability needs at least 95 %, observed 90 %",
    );
    expect(
      triggerSummary(
        intent({
          target: {
            name: "cost",
            condition: "IS_EQUAL_TO",
            value: "low_cost",
            unit: null,
            observed: "high_performance",
          },
        }),
      ),
    ).toBe("Availability intent 3f2a1b2c…: cost needs low_cost, observed high_performance");
    expect(triggerSummary(intent({ target: null, action: "created" }))).toBe(
      "Availability intent 3f2a1b2c… created: its cluster no longer met the instance's intents",
    );
    // The catalogue's display name, as every view shows the type.
    expect(triggerSummary(intent({ intentType: "GreenEnergy", target: null, action: "created" }))).toBe(
      "Green energy intent 3f2a1b2c… created: its cluster no longer met the instance's intents",
    );
  });

  it("says who asked for a Migrate now", () => {
    expect(triggerSummary({ kind: "request", requestedBy: "admin" })).toBe("Requested by admin");
  });

  it("names the cluster a drain moved it off, and who drained it", () => {
    const drain = { kind: "request", requestedBy: "infra", drainedCluster: "dev-onelab" } as const;
    expect(triggerSummary(drain)).toBe("Cluster dev-onelab drained by infra");
    expect(triggerView(drain, { intentId: null, steps: [] })).toMatchObject({
      kind: "request",
      requestedBy: "infra",
      summary: "Cluster dev-onelab drained by infra",
    });
  });
});

describe("a CFDRL move", () => {
  it('reads "Started by CFDRL", names the agent as who asked and shows no intent', () => {
    const cfdrl = { kind: "cfdrl", decisionId: "42", modelVersion: 3 } as const;
    expect(triggerSummary(cfdrl)).toBe("Started by CFDRL");
    expect(triggerView(cfdrl, { intentId: null, steps: [] })).toMatchObject({
      kind: "cfdrl",
      intentId: null,
      requestedBy: "cfdrl",
      summary: "Started by CFDRL",
      detailsHidden: false,
    });
    expect(hiddenTrigger(triggerView(cfdrl, { intentId: null, steps: [] }))?.summary).toBe(
      "Started by CFDRL",
    );
  });
});

describe("triggerView", () => {
  const requested = (actor: string) => [migrationStep("REQUESTED", "requested", { actor })];

  it("derives what it can for rows from before the column", () => {
    expect(triggerView(null, { intentId, steps: requested("ibmc-controller") })).toMatchObject({
      kind: "intent",
      intentId,
      target: null,
      summary: "Intent 3f2a1b2c…: its cluster no longer met the instance's intents",
    });
    expect(triggerView(null, { intentId: null, steps: requested("admin") })).toMatchObject({
      kind: "request",
      requestedBy: "admin",
      summary: "Requested by admin",
    });
    expect(triggerView(null, { intentId: null, steps: [] })).toBeNull();
  });

  it("is hidden down to 'Intent-triggered' for a partial view, and a request stays as it is", () => {
    const view = triggerView(
      {
        kind: "intent",
        intentId,
        intentType: "Availability",
        action: "violated",
        reportId: "7",
        target: null,
      },
      { intentId, steps: requested("ibmc-controller") },
    );
    expect(hiddenTrigger(view)).toEqual({
      kind: "intent",
      intentId: null,
      intentType: null,
      action: null,
      reportId: null,
      target: null,
      requestedBy: null,
      summary: "Intent-triggered",
      detailsHidden: true,
    });
    const request = triggerView({ kind: "request", requestedBy: "admin" }, { intentId: null, steps: [] });
    expect(hiddenTrigger(request)).toEqual(request);
  });
});
