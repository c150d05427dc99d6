/** .helmignore rules (Helm's pkg/ignore): shell globs, '!' negation, trailing '/' for directories. */

/** Go path.Match for a single path (no "/" crossing by * and ?). */
export function globMatch(pattern: string, name: string): boolean {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) return false;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith("^")) cls = "!" + cls.slice(1);
      re += "[" + (cls.startsWith("!") ? "^" + cls.slice(1) : cls).replace(/\\/g, "\\\\") + "]";
      i = end;
    } else if (c === "\\") {
      const n = pattern[++i] ?? "";
      re += n.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  re += "$";
  try {
    return new RegExp(re).test(name);
  } catch {
    return false;
  }
}

interface Rule {
  raw: string;
  negate: boolean;
  mustDir: boolean;
  match: (path: string) => boolean;
}

function parseRule(line: string): Rule | undefined {
  let rule = line.trim();
  if (rule === "" || rule.startsWith("#")) return undefined;
  if (rule.includes("**")) return undefined;
  const r: Rule = { raw: rule, negate: false, mustDir: false, match: () => false };
  if (rule.startsWith("!")) {
    r.negate = true;
    rule = rule.slice(1);
  }
  if (rule.endsWith("/")) {
    r.mustDir = true;
    rule = rule.replace(/\/+$/, "");
  }
  if (rule.startsWith("/")) {
    const p = rule;
    r.match = (n) => globMatch(p, "/" + n);
  } else if (rule.includes("/")) {
    const p = rule;
    r.match = (n) => globMatch(p, n);
  } else {
    const p = rule;
    r.match = (n) => globMatch(p, n.slice(n.lastIndexOf("/") + 1));
  }
  return r;
}

export class IgnoreRules {
  private readonly rules: Rule[] = [];

  static parse(text: string): IgnoreRules {
    const r = new IgnoreRules();
    for (const line of text.split(/\r?\n/)) {
      const rule = parseRule(line);
      if (rule) r.rules.push(rule);
    }
    r.addDefaults();
    return r;
  }

  static defaults(): IgnoreRules {
    const r = new IgnoreRules();
    r.addDefaults();
    return r;
  }

  private addDefaults(): void {
    const rule = parseRule("templates/.?*");
    if (rule) this.rules.push(rule);
  }

  private ignorePath(path: string, isDir: boolean): boolean {
    if (path === "" || path === "." || path === "./") return false;
    for (const p of this.rules) {
      if (p.negate) {
        if (p.mustDir && !isDir) return true;
        if (!p.match(path)) return true;
        continue;
      }
      if (p.mustDir && !isDir) continue;
      if (p.match(path)) return true;
    }
    return false;
  }

  /** True if the file, or any directory containing it, is ignored. */
  ignores(file: string): boolean {
    const parts = file.split("/");
    for (let i = 1; i < parts.length; i++)
      if (this.ignorePath(parts.slice(0, i).join("/"), true)) return true;
    return this.ignorePath(file, false);
  }
}
