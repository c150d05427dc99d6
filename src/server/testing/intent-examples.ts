/**
 * The annex intent examples (the reference intent YAML and the
 * EnergyCarbonEfficiency family), bound to a test's instance and id, for the
 * YAML unit tests and the intent API tests. The network example carries a
 * bearer token.
 */

/** The instance the annex examples name. */
export const PROTOCOL_INSTANCE = "cbcb208a-d535-434b-bb35-217a64bd516b";

export function networkIntentYaml(opts: { id: string; instanceId: string; bearerToken: string }): string {
  return `id: ${opts.id}
userLabel: cloud_continuum
intentExpectations:
  - expectationId: "1"
    expectationVerb: DELIVER
    expectationObject:
      objectType: K8S_L2_NETWORK
      objectInstance: spain-network
      objectContexts:
        - { contextAttribute: name, contextCondition: IS_EQUAL_TO, contextValueRange: spain-network }
        - { contextAttribute: providerName, contextCondition: IS_EQUAL_TO, contextValueRange: default-slice }
        - { contextAttribute: domain, contextCondition: IS_EQUAL_TO, contextValueRange: api.main.example }
        - { contextAttribute: pod_cidr, contextCondition: IS_EQUAL_TO, contextValueRange: 10.1.0.0/16 }
    expectationTargets:
      - { targetName: isolatedConnectivity, targetCondition: IS_EQUAL_TO, targetValueRange: "true" }
  - expectationId: "2"
    expectationVerb: DELIVER
    expectationObject:
      objectType: K8S_CLUSTER_CONFIG
      objectInstance: spain-network
      objectContexts:
        - { contextAttribute: name, contextCondition: IS_EQUAL_TO, contextValueRange: staging-1 }
        - { contextAttribute: bearer_token, contextCondition: IS_EQUAL_TO, contextValueRange: "${opts.bearerToken}" }
        - { contextAttribute: api_key, contextCondition: IS_EQUAL_TO, contextValueRange: "https://api.staging1.example:6443" }
    expectationTargets:
      - { targetName: isolatedConnectivity, targetCondition: IS_EQUAL_TO, targetValueRange: "true" }
    expectationContexts:
      - { contextAttribute: k8s_l2_network, contextCondition: IS_EQUAL_TO, contextValueRange: spain-network }
      - { contextAttribute: namespace, contextCondition: IS_EQUAL_TO, contextValueRange: ${PROTOCOL_INSTANCE} }
intentContexts:
  - { contextAttribute: NEMO_WORKLOAD, contextCondition: IS_EQUAL_TO, contextValueRange: ${opts.instanceId} }
intentPriority: 1
observationPeriod: 60
intentAdminState: ACTIVATED
`;
}

/** The same intent in the variant spelling (`expectationTarget` / `targetAttribute`). */
export function networkIntentVariantYaml(opts: {
  id: string;
  instanceId: string;
  bearerToken: string;
}): string {
  return networkIntentYaml(opts)
    .replaceAll("expectationTargets:", "expectationTarget:")
    .replaceAll("targetName:", "targetAttribute:");
}

/** The EnergyCarbonEfficiency example: the instance only as the NEMO_WORKLOAD expectation object. */
export function energyIntentYaml(opts: { id: string; instanceId: string }): string {
  return `id: ${opts.id}
userLabel: EnergyCarbonEfficiency
intentExpectations:
  - expectationId: "1"
    expectationVerb: ENSURE
    expectationObject:
      objectType: NEMO_WORKLOAD
      objectInstance: ${opts.instanceId}
    expectationTargets:
      - targetName: CompEnergyEfficiency
        targetCondition: IS_GREATER_THAN
        targetValueRange: 40000
      - targetName: CompEnergyConsumption
        targetCondition: IS_LESS_THAN
        targetValueRange: 900
      - targetName: GreenEnergyConsumptionRate
        targetCondition: IS_GREATER_THAN
        targetValueRange: 90
intentPriority: 10
observationPeriod: 300
intentAdminState: ACTIVATED
validityPeriod:
  startTime: "2026-12-01T00:00:00Z"
  endTime: "2026-12-31T23:59:59Z"
`;
}
