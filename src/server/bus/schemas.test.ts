import { describe, expect, it } from "vitest";
import { decodePayload, formatZodError, attemptOf, forwardableHeaders } from "./codec";
import {
  cfdrlScalingReplySchema,
  clusterJoinReplySchema,
  clusterJoinRequestSchema,
  clusterMetricsSchema,
  ibmcAgentMessageSchema,
  intentNotifySchema,
  migrationCompletionSchema,
  mnccNetworkMessageSchema,
  seeReplyError,
  seeReplySchema,
  seeRequestSchemas,
  workloadUpdateSchema,
} from "./schemas";

// Payloads as the reference deployment sent them (docs/protocol.md); "…" elisions are filled with plausible values.

describe("reference payload examples", () => {
  it("parses the cluster join request the MO expects", () => {
    const request = {
      availability: "99.9%",
      cluster_name: "test",
      cost: "low_cost",
      cpu_base_rate: 10,
      cpus: 10,
      green_energy: "20%",
      id: "28aa341f-246d-4890-886b-79529d8e8b7e",
      managed_api: "https://api.s2.example:6443",
      memory: 200,
      memory_base_rate: 10,
      storage: 300,
      timestamp: "2025-02-04T10:37:55.640728Z",
      vram: 1024,
    };
    expect(clusterJoinRequestSchema.parse(request)).toEqual(request);
  });

  it("parses both join replies and tells them apart by status", () => {
    const ok = clusterJoinReplySchema.parse({
      action: "join",
      managed_api: "https://api.s2.example:6443",
      cluster_name: "test-cluster-2",
      operation_id: "2603d351-0f5e-4d0e-9a57-2b3c4d5e6f70",
      timestamp: "2025-05-20T16:38:49+02:00",
      status: "ok",
    });
    const error = clusterJoinReplySchema.parse({
      action: "join",
      cluster_name: "test_cluster",
      error: "request failed: http request failed with status 409",
      id: "4981421-test-join",
      status: "error",
    });
    expect(ok.status).toBe("ok");
    expect(error.status === "error" && error.error).toMatch(/409/);
  });

  it("parses a cluster metrics collection with the collector's timestamp format", () => {
    const sample = {
      cluster: "staging-onelab",
      cpu_usage: 3040.962,
      memory_usage: 48.4,
      disk_usage: 1.1,
      timestamp: "2025-05-29 10:48:03.547723+00:00",
    };
    expect(clusterMetricsSchema.parse([sample, { ...sample, cluster: "dev-onelab" }])).toHaveLength(2);
  });

  it("parses IBMC backup and restore commands and requires the backup name on restore", () => {
    const backup = {
      WorkloadID: "3b004d45-8c1e-4a8e-9f0b-1d2c3e4f5a6b",
      Action: "backup",
      SourceCluster: "dev-onelab",
      TargetCluster: "staging-onelab",
    };
    expect(ibmcAgentMessageSchema.parse(backup).Action).toBe("backup");
    const restore = { ...backup, Action: "restore", BackupName: "dev-onelab-3b004d45-20250527130439" };
    expect(ibmcAgentMessageSchema.parse(restore).Action).toBe("restore");
    const missing = ibmcAgentMessageSchema.safeParse({ ...backup, Action: "restore" });
    expect(missing.success).toBe(false);
    expect(missing.error && formatZodError(missing.error)).toMatch(/^BackupName: /);
  });

  it("parses the migration completion on both update and intent-notify", () => {
    const completion = {
      WorkloadID: "caedfa4f-2b1a-4c3d-8e9f-0a1b2c3d4e5f",
      Type: "migration",
      SourceCluster: "pro-onelab",
      TargetCluster: "staging-onelab",
      Timestamp: "20250527130439",
    };
    expect(migrationCompletionSchema.parse(completion)).toEqual(completion);
    expect(workloadUpdateSchema.parse(completion).Type).toBe("migration");
    expect(intentNotifySchema.parse(completion).Type).toBe("migration");
  });

  it("parses the CFDRL scaling reply and keeps the extra fields", () => {
    const reply = cfdrlScalingReplySchema.parse({
      cluster_name: "k3s-onelab",
      workload_id: "caedfa4f-2b1a-4c3d-8e9f-0a1b2c3d4e5f",
      number_replicas: 3,
      decided_at: "2025-05-27T13:04:39Z",
    });
    expect(reply.number_replicas).toBe(3);
    expect(reply.decided_at).toBe("2025-05-27T13:04:39Z");
  });

  it("parses the mNCC network message with a boolean label", () => {
    const message = {
      workload: "61edb162-1d52-4e4d-8b55-275187a780ba",
      pod: {
        labels: { l2sm: true, "l2sm/app": "[parameter]" },
        annotations: { "l2sm/networks": "spain-network" },
        env: { DNS_NAME: "[parameter].spain-network.inter.l2sm" },
      },
    };
    expect(mnccNetworkMessageSchema.parse(message)).toEqual(message);
  });

  it("parses a SEE request and both SEE replies", () => {
    const request = {
      verb: "create",
      body: { kind: "Pod", metadata: { name: "nginx" } },
      reply_to: "see-interface-response",
    };
    expect(seeRequestSchemas.create.parse(request).verb).toBe("create");
    expect(seeRequestSchemas.delete.safeParse(request).success).toBe(false);

    const empty = decodePayload(Buffer.alloc(0));
    expect(empty).toEqual({ ok: true, value: null });
    expect(seeReplyError(seeReplySchema.parse(null))).toBeNull();
    expect(seeReplyError(seeReplySchema.parse({}))).toBeNull();
    const failure = seeReplySchema.parse({
      ErrStatus: {
        apiVersion: "v1",
        code: 404,
        details: { kind: "pods", name: "nginx" },
        kind: "Status",
        message: 'pods "nginx" not found',
        reason: "NotFound",
        status: "Failure",
      },
    });
    expect(seeReplyError(failure)).toMatchObject({ code: 404, reason: "NotFound" });
  });
});

describe("rejections", () => {
  it("names the offending field", () => {
    const result = clusterJoinRequestSchema.safeParse({
      availability: "high",
      cluster_name: "test",
      cost: "cheap",
      cpu_base_rate: 10,
      cpus: 10,
      green_energy: "20%",
      id: "x",
      managed_api: "https://api.example:6443",
      memory: 200,
      memory_base_rate: 10,
      storage: 300,
      timestamp: "2025-02-04T10:37:55Z",
      vram: 1024,
    });
    expect(result.success).toBe(false);
    const text = result.error ? formatZodError(result.error) : "";
    expect(text).toMatch(/(^|; )availability: /);
    expect(text).toMatch(/(^|; )cost: /);
  });

  it("names nested fields by their path", () => {
    const result = mnccNetworkMessageSchema.safeParse({
      workload: "w",
      pod: { labels: { l2sm: 1 }, annotations: {}, env: {} },
    });
    expect(result.error && formatZodError(result.error)).toMatch(/^pod\.labels\.l2sm: /);
  });

  it("rejects metrics outside 0..100 %", () => {
    const result = clusterMetricsSchema.safeParse([
      { cluster: "c", cpu_usage: 1, memory_usage: 140, disk_usage: 1, timestamp: "2025-05-29T10:48:03Z" },
    ]);
    expect(result.error && formatZodError(result.error)).toMatch(/^0\.memory_usage: /);
  });
});

describe("codec", () => {
  it("reports a body that is not JSON", () => {
    expect(decodePayload(Buffer.from("{not json"))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not JSON/),
    });
  });

  it("reads the attempt header, defaulting to the first attempt", () => {
    expect(attemptOf(undefined)).toBe(1);
    expect(attemptOf({ "x-nemo-attempt": 3 })).toBe(3);
    expect(attemptOf({ "x-nemo-attempt": "2" })).toBe(2);
    expect(attemptOf({ "x-nemo-attempt": "garbage" })).toBe(1);
  });

  it("drops the broker's death headers when republishing", () => {
    expect(
      forwardableHeaders({ "x-death": [], "x-first-death-queue": "q", "x-nemo-attempt": 2, trace: "abc" }),
    ).toEqual({ "x-nemo-attempt": 2, trace: "abc" });
  });
});
