import type { Prisma } from "@/generated/prisma/client";

/**
 * An intent template from the instance form, in the 3GPP TS 28.312 normal
 * form the product stores (one DELIVER expectation on the NEMO_WORKLOAD, its
 * targets, and the NEMO_WORKLOAD context naming the instance).
 */
export interface IntentTemplate {
  intentType: string;
  targets: ReadonlyArray<{
    targetName: string;
    targetCondition: string;
    targetValue: string | number | ReadonlyArray<string | number>;
  }>;
}

export function intentBodyFromTemplate(instanceId: string, template: IntentTemplate): Prisma.InputJsonObject {
  const valueRange = (value: IntentTemplate["targets"][number]["targetValue"]) =>
    Array.isArray(value) ? value.map(String) : String(value);
  return {
    userLabel: template.intentType,
    intentExpectations: [
      {
        expectationId: "1",
        expectationVerb: "DELIVER",
        expectationObject: { objectType: "NEMO_WORKLOAD", objectInstance: instanceId, objectContexts: [] },
        expectationTargets: template.targets.map((target) => ({
          targetName: target.targetName,
          targetCondition: target.targetCondition,
          targetValueRange: valueRange(target.targetValue),
          targetContexts: [],
        })),
        expectationContexts: [],
      },
    ],
    intentContexts: [
      { contextAttribute: "NEMO_WORKLOAD", contextCondition: "IS_EQUAL_TO", contextValueRange: instanceId },
    ],
    contextSelectivity: "ALL_OF",
    intentPriority: 1,
    observationPeriod: 60,
    intentAdminState: "ACTIVATED",
  };
}
