/**
 * docs/protocol.md cannot drift from the code: every exchange, routing key,
 * queue and message of topology.ts has its `###` section there and every
 * section names something the code has; exchange types, queue bindings and
 * message routes agree; and every JSON example is accepted, unchanged, by
 * its message's schema. The format the check reads is described in the
 * document itself (section "Editing this document").
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { formatZodError } from "./codec";
import * as schemas from "./schemas";
import {
  deadLetterQueueName,
  defineMessage,
  exchanges,
  ibmcAgentMessage,
  ibmcAgentQueue,
  messages,
  productTopology,
  retryQueueName,
  routingKeys,
  type ExchangeDefinition,
  type MessageDefinition,
  type QueueDefinition,
} from "./topology";

const DOC_PATH = path.resolve(import.meta.dirname, "../../../docs/protocol.md");

/** How the document writes names that contain a cluster name, and the cluster the check puts in their place. */
const CLUSTER_PLACEHOLDER = "<cluster>";
const SAMPLE_CLUSTER = "dev-onelab";
const QUEUE_PLACEHOLDER = "<queue>";

// --- The document --------------------------------------------------------------

const SECTIONS = {
  Exchanges: "exchanges",
  "Routing keys": "routingKeys",
  Queues: "queues",
  Messages: "messages",
} as const;
type SectionKey = (typeof SECTIONS)[keyof typeof SECTIONS];

interface DocItem {
  /** The name in the heading, placeholders replaced. */
  name: string;
  /** 1-based line of the heading, for messages. */
  line: number;
  /** `- Label: value` bullets by label (continuation lines joined). */
  bullets: Map<string, string>;
  /** The fenced ```json blocks. */
  json: string[];
}

interface ProtocolDoc {
  sections: Record<SectionKey, DocItem[]>;
  /** Headings the check cannot read (a `###` in a checked section not of the form ### `name`). */
  malformed: string[];
  text: string;
}

function isSectionTitle(title: string): title is keyof typeof SECTIONS {
  return Object.hasOwn(SECTIONS, title);
}

function parseProtocolDoc(text: string): ProtocolDoc {
  const sections: Record<SectionKey, DocItem[]> = {
    exchanges: [],
    routingKeys: [],
    queues: [],
    messages: [],
  };
  const malformed: string[] = [];
  let section: SectionKey | null = null;
  let item: DocItem | null = null;
  let bullet: string | null = null;
  let fence: { json: boolean; lines: string[] } | null = null;

  text.split("\n").forEach((line, index) => {
    if (fence) {
      if (/^```\s*$/.test(line)) {
        if (fence.json && item) item.json.push(fence.lines.join("\n"));
        fence = null;
      } else fence.lines.push(line);
      return;
    }
    const opening = /^```(\S*)/.exec(line);
    if (opening) {
      fence = { json: opening[1] === "json", lines: [] };
      bullet = null;
      return;
    }
    const h2 = /^## (?:\d+\.\s*)?(.+?)\s*$/.exec(line);
    if (h2?.[1] !== undefined) {
      section = isSectionTitle(h2[1]) ? SECTIONS[h2[1]] : null;
      item = null;
      bullet = null;
      return;
    }
    if (line.startsWith("### ")) {
      bullet = null;
      if (!section) {
        item = null;
        return;
      }
      const name = /^### `([^`]+)`\s*$/.exec(line)?.[1];
      if (name === undefined) {
        malformed.push(`line ${index + 1}: "${line}" is not of the form ### \`name\``);
        item = null;
        return;
      }
      item = {
        name: name.replaceAll(CLUSTER_PLACEHOLDER, SAMPLE_CLUSTER),
        line: index + 1,
        bullets: new Map(),
        json: [],
      };
      sections[section].push(item);
      return;
    }
    if (!item) return;
    const labelled = /^- ([A-Za-z][A-Za-z ]*):\s*(.*)$/.exec(line);
    if (labelled?.[1] !== undefined) {
      bullet = labelled[1];
      item.bullets.set(bullet, labelled[2] ?? "");
    } else if (bullet !== null && /^\s+\S/.test(line)) {
      item.bullets.set(bullet, `${item.bullets.get(bullet) ?? ""} ${line.trim()}`);
    } else bullet = null;
  });
  return { sections, malformed, text };
}

/** The backticked names in a bullet's text, placeholders replaced. */
function codeSpans(text: string | undefined): string[] {
  return [...(text ?? "").matchAll(/`([^`]+)`/g)].map((m) =>
    (m[1] ?? "").replaceAll(CLUSTER_PLACEHOLDER, SAMPLE_CLUSTER),
  );
}

// --- The code ------------------------------------------------------------------

interface CodeTopology {
  exchanges: readonly ExchangeDefinition[];
  queues: readonly QueueDefinition[];
  messages: readonly MessageDefinition[];
}

/**
 * Everything topology.ts defines. The per-cluster agent queue and command
 * are functions of the cluster name: they are listed here with a sample
 * cluster, which the document writes as `<cluster>`.
 */
function productCode(): CodeTopology {
  return {
    exchanges: [...productTopology.exchanges],
    queues: [...productTopology.queues, ibmcAgentQueue(SAMPLE_CLUSTER)],
    messages: [...Object.values(messages), ibmcAgentMessage(SAMPLE_CLUSTER)],
  };
}

/** Routing keys on named exchanges: the constants, every binding's and every message's. */
function routingKeysOf(code: CodeTopology): string[] {
  return [
    ...Object.values(routingKeys),
    ...code.queues.flatMap((q) => q.bindings.map((b) => b.routingKey)),
    ...code.messages.filter((m) => m.exchange !== null).map((m) => m.routingKey),
  ];
}

/** The queues a message lands in. */
function queuesOf(message: MessageDefinition, code: CodeTopology): string[] {
  return code.queues
    .filter((queue) =>
      message.exchange === null
        ? queue.name === message.routingKey
        : queue.bindings.some(
            (b) => b.exchange.name === message.exchange?.name && b.routingKey === message.routingKey,
          ),
    )
    .map((queue) => queue.name);
}

/** `seeRequestSchemas.create` → that export of schemas.ts. */
function schemaExport(name: string): unknown {
  let value: unknown = schemas;
  for (const key of name.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

// --- The comparison --------------------------------------------------------------

const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));

const show = (names: readonly string[]) =>
  names.length > 0 ? names.map((n) => `\`${n}\``).join(", ") : "none";

/** Every way the document and the code disagree, one line each; empty when they agree. */
function protocolDrift(doc: ProtocolDoc, code: CodeTopology): string[] {
  const problems = [...doc.malformed];
  const expected: Record<SectionKey, string[]> = {
    exchanges: code.exchanges.map((e) => e.name),
    routingKeys: routingKeysOf(code),
    queues: code.queues.map((q) => q.name),
    messages: code.messages.map((m) => m.name),
  };
  const singular: Record<SectionKey, string> = {
    exchanges: "exchange",
    routingKeys: "routing key",
    queues: "queue",
    messages: "message",
  };
  for (const key of Object.values(SECTIONS)) {
    const documented = doc.sections[key].map((item) => item.name);
    for (const name of new Set(expected[key]))
      if (!documented.includes(name))
        problems.push(`${singular[key]} \`${name}\` is in the code but has no section in docs/protocol.md`);
    for (const name of documented)
      if (!expected[key].includes(name))
        problems.push(`${singular[key]} \`${name}\` is in docs/protocol.md but not in the code`);
    for (const name of new Set(documented))
      if (documented.filter((n) => n === name).length > 1)
        problems.push(`${singular[key]} \`${name}\` has more than one section in docs/protocol.md`);
  }

  for (const item of doc.sections.exchanges) {
    const exchange = code.exchanges.find((e) => e.name === item.name);
    const type = codeSpans(item.bullets.get("Type"))[0];
    if (exchange && type !== exchange.type)
      problems.push(
        `exchange \`${item.name}\`: the code says type \`${exchange.type}\`, the doc \`${type ?? "(none)"}\``,
      );
  }

  for (const item of doc.sections.queues) {
    const queue = code.queues.find((q) => q.name === item.name);
    if (!queue) continue;
    const text = item.bullets.get("Bindings") ?? "";
    const spans = codeSpans(text);
    const documented: string[] = [];
    for (let i = 0; i + 1 < spans.length; i += 2) documented.push(`${spans[i]} / ${spans[i + 1]}`);
    const actual = queue.bindings.map((b) => `${b.exchange.name} / ${b.routingKey}`);
    const defaultOnly = actual.length === 0 && spans.length === 0 && text.includes("default exchange only");
    if (!defaultOnly && (actual.length === 0 || !sameSet(documented, actual)))
      problems.push(
        `queue \`${item.name}\`: the code binds it to ${actual.length > 0 ? actual.join(", ") : "nothing (default exchange only)"}, the doc says "${text}"`,
      );
  }

  for (const item of doc.sections.messages) {
    const message = code.messages.find((m) => m.name === item.name);
    if (!message) continue;
    const where = `message \`${item.name}\` (docs/protocol.md line ${item.line})`;

    const exchangeText = item.bullets.get("Exchange") ?? "";
    const exchange =
      codeSpans(exchangeText)[0] ?? (exchangeText.includes("default exchange") ? null : "(none)");
    if (exchange !== (message.exchange?.name ?? null))
      problems.push(
        `${where}: the code publishes it on ${message.exchange ? `\`${message.exchange.name}\`` : "the default exchange"}, the doc says "${exchangeText}"`,
      );

    const routingKey = codeSpans(item.bullets.get("Routing key"))[0];
    if (routingKey !== message.routingKey)
      problems.push(
        `${where}: the code's routing key is \`${message.routingKey}\`, the doc's \`${routingKey ?? "(none)"}\``,
      );

    const routed = queuesOf(message, code);
    const documentedQueues = codeSpans(item.bullets.get("Queue"));
    if (!sameSet(documentedQueues, routed))
      problems.push(`${where}: it lands in ${show(routed)}, the doc says ${show(documentedQueues)}`);

    const schemaName = codeSpans(item.bullets.get("Schema"))[0];
    if (schemaName === undefined || schemaExport(schemaName) !== message.schema)
      problems.push(`${where}: \`${schemaName ?? "(none)"}\` is not the schema the code validates it with`);

    if (item.json.length === 0) problems.push(`${where}: no \`\`\`json example`);
    item.json.forEach((source, n) => {
      const example = `${where}, example ${n + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(source) as unknown;
      } catch (error) {
        problems.push(`${example}: not JSON (${(error as Error).message})`);
        return;
      }
      const parsed = message.schema.safeParse(value);
      if (!parsed.success)
        problems.push(`${example}: rejected by the schema: ${formatZodError(parsed.error)}`);
      // Schemas strip fields they do not know: an example with a misspelt field would otherwise pass.
      else if (!isDeepStrictEqual(parsed.data, value))
        problems.push(`${example}: the schema drops or changes fields: ${JSON.stringify(parsed.data)}`);
    });
  }

  for (const derived of [retryQueueName(QUEUE_PLACEHOLDER), deadLetterQueueName(QUEUE_PLACEHOLDER)])
    if (!doc.text.includes(`\`${derived}\``))
      problems.push(`docs/protocol.md does not name the derived queue \`${derived}\``);

  return problems;
}

// --- Tests -----------------------------------------------------------------------

const docText = readFileSync(DOC_PATH, "utf8");

describe("docs/protocol.md", () => {
  it("documents exactly the code's exchanges, routing keys, queues and messages, with examples the schemas accept", () => {
    expect(protocolDrift(parseProtocolDoc(docText), productCode())).toEqual([]);
  });

  it("has a section for every kind of name and an example for every message", () => {
    const doc = parseProtocolDoc(docText);
    for (const key of Object.values(SECTIONS)) expect(doc.sections[key].length).toBeGreaterThan(0);
    for (const item of doc.sections.messages) expect(item.json.length, item.name).toBeGreaterThan(0);
  });
});

/** The check itself: each kind of drift is caught (so a passing run means the doc is in step). */
describe("protocolDrift", () => {
  const doc = () => parseProtocolDoc(docText);

  it("catches a message added to the code without documentation", () => {
    const code = productCode();
    const added = defineMessage({
      name: "workload.undocumented",
      exchange: exchanges.workload,
      routingKey: routingKeys.run,
      schema: schemas.workloadRunSchema,
    });
    expect(protocolDrift(doc(), { ...code, messages: [...code.messages, added] })).toContain(
      "message `workload.undocumented` is in the code but has no section in docs/protocol.md",
    );
  });

  it("catches a queue or exchange removed from the code but still documented", () => {
    const code = productCode();
    const drift = protocolDrift(doc(), {
      ...code,
      exchanges: code.exchanges.filter((e) => e.name !== "mncc"),
      queues: code.queues.filter((q) => q.name !== "cfdrl_mo_hs.reply"),
    });
    expect(drift).toContain("exchange `mncc` is in docs/protocol.md but not in the code");
    expect(drift).toContain("queue `cfdrl_mo_hs.reply` is in docs/protocol.md but not in the code");
  });

  it("catches a message section that went missing from the document", () => {
    const text = docText.replace(/^### `workload\.run`$/m, "### `workload.ran`");
    const drift = protocolDrift(parseProtocolDoc(text), productCode());
    expect(drift).toContain("message `workload.run` is in the code but has no section in docs/protocol.md");
    expect(drift).toContain("message `workload.ran` is in docs/protocol.md but not in the code");
  });

  it("catches a changed binding, route or exchange type", () => {
    const code = productCode();
    const moved = code.messages.map((m) =>
      m.name === "workload.update" ? { ...m, routingKey: routingKeys.intentNotify } : m,
    );
    const retyped = code.exchanges.map((e) => (e.name === "metrics" ? { ...e, type: "direct" as const } : e));
    const drift = protocolDrift(doc(), { ...code, messages: moved, exchanges: retyped });
    expect(drift.some((p) => p.startsWith("message `workload.update`") && p.includes("routing key"))).toBe(
      true,
    );
    expect(drift.some((p) => p.startsWith("exchange `metrics`") && p.includes("type"))).toBe(true);
  });

  it("catches an example the schema rejects, and one with a field the schema would drop", () => {
    const rejected = docText.replace('"status": "deploy"', '"status": ""');
    expect(protocolDrift(parseProtocolDoc(rejected), productCode()).join("\n")).toMatch(
      /message `workload\.run`.*example 1: rejected by the schema: status/,
    );
    const misspelt = docText.replace('"MigrationID": "6f1d2c3b', '"MigrationId": "6f1d2c3b');
    expect(protocolDrift(parseProtocolDoc(misspelt), productCode()).join("\n")).toMatch(
      /message `workload\.update`.*example 1: the schema drops or changes fields/,
    );
  });
});
