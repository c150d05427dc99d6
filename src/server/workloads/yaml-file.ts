import { isNode, LineCounter, parseDocument, type Document, type YAMLError } from "yaml";
import { yamlNestingMessage, yamlNestingTooDeep } from "@/common/yaml-nesting";
import type { Problem } from "@/server/errors";

/**
 * A parsed YAML file that still knows where each key was written, so chart
 * problems can point at "values.yaml:12" instead of just naming the key.
 */
export interface YamlFile {
  file: string;
  value: unknown;
  /** 1-based line of the node at `path` (a key path), or of its closest ancestor that exists. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/** Aliases one file may expand (the yaml library's own guard against alias bombs). */
const MAX_ALIAS_COUNT = 1000;

export type YamlParse = { ok: true; yaml: YamlFile } | { ok: false; problem: Problem };

export function parseYamlFile(file: string, source: string): YamlParse {
  const tooDeep = yamlNestingTooDeep(source);
  if (tooDeep !== null)
    return { ok: false, problem: { file, line: tooDeep, message: `${file} is ${yamlNestingMessage()}.` } };
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    // Helm reads Chart.yaml and values.yaml as one document each; `uniqueKeys` matches its strictness.
    doc = parseDocument(source, { lineCounter, uniqueKeys: true });
  } catch (error) {
    return { ok: false, problem: { file, message: error instanceof Error ? error.message : String(error) } };
  }
  const first = doc.errors[0];
  if (first) return { ok: false, problem: yamlProblem(file, first) };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (error) {
    // An alias bomb throws here, after parsing: a problem of the file, not a 500.
    const reason = error instanceof Error ? error.message : String(error);
    const message = /alias/i.test(reason)
      ? `${file} expands more than ${MAX_ALIAS_COUNT} aliases (maxAliasCount).`
      : `${file} could not be read: ${reason}`;
    return { ok: false, problem: { file, message } };
  }
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  return {
    ok: true,
    yaml: {
      file,
      value,
      lineOf(path) {
        for (let depth = path.length; depth > 0; depth--) {
          const node = doc.getIn(path.slice(0, depth), true);
          if (isNode(node) && node.range) {
            // The key's line reads better than the value's for block values; the pair holds both.
            const pairLine = keyLine(doc, path.slice(0, depth), lineAt);
            return pairLine ?? lineAt(node.range[0]);
          }
        }
        return undefined;
      },
    },
  };
}

function keyLine(
  doc: Document.Parsed,
  path: readonly (string | number)[],
  lineAt: (offset: number | undefined) => number | undefined,
): number | undefined {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (!parent || !isNode(parent) || !("items" in parent) || !Array.isArray(parent.items)) return undefined;
  for (const item of parent.items as unknown[]) {
    if (typeof item === "object" && item !== null && "key" in item) {
      const key = item.key;
      if (isNode(key) && "value" in key && String((key as { value: unknown }).value) === String(last)) {
        return lineAt(key.range?.[0]);
      }
    }
  }
  return undefined;
}

export function yamlProblem(file: string, error: YAMLError): Problem {
  const line = error.linePos?.[0]?.line;
  // yaml's messages end with a "at line N, column M" suffix and a code frame; the location is ours to show.
  const message = error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? error.message;
  return { file, line, message };
}
