/**
 * How deep `[` / `{` flow collections may nest in YAML we parse from users
 * (intents, values, chart files, kubeconfigs). The yaml library parses
 * nesting recursively: 400,000 levels (800 KB, under every size cap) held
 * the event loop for 5 s and then overflowed the stack. Real documents nest
 * a handful of levels.
 */
export const MAX_YAML_FLOW_DEPTH = 100;

/**
 * The 1-based line where the text's flow collections nest deeper than `max`,
 * else null: one linear scan, before the parser sees the text. Quotes and
 * comments are not told apart — a false alarm would need `max` unclosed
 * brackets in one document.
 */
export function yamlNestingTooDeep(text: string, max: number = MAX_YAML_FLOW_DEPTH): number | null {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line += 1;
    else if (c === 91 || c === 123) {
      depth += 1;
      if (depth > max) return line;
    } else if ((c === 93 || c === 125) && depth > 0) depth -= 1;
  }
  return null;
}

/** The problem's wording, naming the limit. */
export const yamlNestingMessage = (max: number = MAX_YAML_FLOW_DEPTH) =>
  `nested deeper than ${max} levels (maxFlowDepth)`;
