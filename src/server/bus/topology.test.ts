import { describe, expect, it } from "vitest";
import {
  brokerName,
  deadLetterQueueName,
  exchanges,
  ibmcAgentMessage,
  ibmcAgentQueue,
  messages,
  productTopology,
  queues,
  resolveRoute,
  retryQueueName,
  seeRequestMessage,
  type MessageDefinition,
} from "./topology";

describe("naming", () => {
  it("prefixes exchange and queue names, not routing keys", () => {
    expect(brokerName("t1.", "nemo.api.workload")).toBe("t1.nemo.api.workload");
    expect(resolveRoute("t1.", { exchange: "mo", routingKey: "dev-onelab" })).toEqual({
      exchange: "t1.mo",
      routingKey: "dev-onelab",
    });
  });

  it("prefixes the queue name used as routing key on the default exchange, never the default exchange", () => {
    expect(brokerName("t1.", "")).toBe("");
    expect(resolveRoute("t1.", { exchange: "", routingKey: "cfdrl_mo_hs" })).toEqual({
      exchange: "",
      routingKey: "t1.cfdrl_mo_hs",
    });
  });

  it("leaves names alone without a prefix", () => {
    expect(resolveRoute("", { exchange: "nemo.api.workload", routingKey: "run" })).toEqual({
      exchange: "nemo.api.workload",
      routingKey: "run",
    });
  });

  it("names the retry queue and DLQ after their queue", () => {
    expect(retryQueueName("notify")).toBe("notify.retry");
    expect(deadLetterQueueName("notify")).toBe("notify.dlq");
  });
});

describe("product topology", () => {
  it("uses the deliverable's names", () => {
    expect(exchanges.workload.name).toBe("nemo.api.workload");
    expect(exchanges.mo.name).toBe("mo");
    expect(exchanges.mncc.name).toBe("mncc");
    expect(exchanges.metrics.name).toBe("metrics");
    expect(queues.notify.bindings).toEqual([{ exchange: exchanges.workload, routingKey: "intent-notify" }]);
    expect(queues.mnccIbs).toMatchObject({
      name: "mncc.ibs",
      bindings: [{ exchange: exchanges.mncc, routingKey: "mncc.ibs" }],
    });
    expect(queues.cfdrlScaling.name).toBe("cfdrl_mo_hs");
    expect([queues.seeCreate.name, queues.seeApply.name, queues.seeDelete.name]).toEqual([
      "nemo.see.create",
      "nemo.see.apply",
      "nemo.see.delete",
    ]);
    expect(queues.seeResponse.name).toBe("see-interface-response");
    expect(messages.workloadRun.routingKey).toBe("run");
    expect(messages.workloadUpdate.routingKey).toBe("update");
    expect(messages.networkIntent.routingKey).toBe("network-intent");
  });

  it("gives every queue a distinct name, also counting retry queues and DLQs", () => {
    const names = productTopology.queues.flatMap((q) => [
      q.name,
      retryQueueName(q.name),
      deadLetterQueueName(q.name),
    ]);
    expect(new Set(names).size).toBe(names.length);
  });

  it("routes every product message to a declared queue", () => {
    const routable = (message: MessageDefinition) =>
      productTopology.queues.some((queue) =>
        message.exchange === null
          ? queue.name === message.routingKey
          : queue.bindings.some(
              (b) => b.exchange.name === message.exchange?.name && b.routingKey === message.routingKey,
            ),
      );
    const unroutable = Object.values(messages).filter((m) => !routable(m));
    expect(unroutable.map((m) => m.name)).toEqual([]);
  });

  it("declares every exchange a binding uses", () => {
    const declared = new Set(productTopology.exchanges.map((e) => e.name));
    for (const queue of productTopology.queues) {
      for (const binding of queue.bindings) expect(declared).toContain(binding.exchange.name);
    }
  });

  it("routes an IBMC agent command to that cluster's agent queue on mo", () => {
    const queue = ibmcAgentQueue("dev-onelab");
    const message = ibmcAgentMessage("dev-onelab");
    expect(queue.name).toBe("mo.agent.dev-onelab");
    expect(queue.bindings).toEqual([{ exchange: exchanges.mo, routingKey: "dev-onelab" }]);
    expect(message.exchange).toBe(exchanges.mo);
    expect(message.routingKey).toBe("dev-onelab");
  });

  it("refuses cluster names that cannot be routing keys", () => {
    expect(() => ibmcAgentQueue("")).toThrow(/invalid cluster name/);
    expect(() => ibmcAgentMessage("a b")).toThrow(/invalid cluster name/);
    expect(() => ibmcAgentMessage("#")).toThrow(/invalid cluster name/);
  });

  it("maps a SEE verb to its queue", () => {
    expect(seeRequestMessage("apply").routingKey).toBe("nemo.see.apply");
    expect(seeRequestMessage("delete").exchange).toBeNull();
  });
});
