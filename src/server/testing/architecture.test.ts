/**
 * The layering rules, checked on every run (see docs/architecture.md#2-source-layout):
 *
 * 1. No cycle between folders of `src/server` (a domain folder, e.g.
 *    `intents`, is one node; `src/common` and the others are nodes too).
 * 2. A domain folder reaches another only through its `index.ts`
 *    (`@/server/intents`, or a nested folder's index such as
 *    `@/server/auth/local-issuer`), never into its files.
 * 3. `src/common` is pure vocabulary for the browser and the server: it
 *    imports nothing from `src/server`.
 *
 * Tests and test helpers may reach into folders (they test internals), so
 * rules 1 and 2 look at production files only.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g;

export interface SourceFile {
  path: string;
  text: string;
}

const isTestFile = (file: string) =>
  /\.(test|spec|bench)\.tsx?$/.test(file) || file.includes("/testing/") || /\/testing\.ts$/.test(file);

/** The repository path an import points at (without extension), or null for a package. */
function resolveImport(from: string, specifier: string): string | null {
  if (specifier.startsWith("@/")) return `src/${specifier.slice(2)}`;
  if (specifier.startsWith("."))
    return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return null;
}

/**
 * The folder node a path belongs to: `server/<domain>`, `common`, `components`, …
 * `src/server/intents` (an import of the folder's index) is `server/intents`;
 * `src/server/errors` (a file) is `server`.
 */
function nodeOf(file: string, serverFolders: ReadonlySet<string>): string | null {
  const parts = file.split("/");
  if (parts[0] !== "src" || parts.length < 2) return null;
  if (parts[1] !== "server") return parts.length > 2 ? (parts[1] ?? null) : null;
  const domain = parts[2];
  return domain !== undefined && (parts.length > 3 || serverFolders.has(domain))
    ? `server/${domain}`
    : "server";
}

function serverFoldersOf(files: readonly SourceFile[]): Set<string> {
  return new Set(files.flatMap((file) => /^src\/server\/([^/]+)\//.exec(file.path)?.[1] ?? []));
}

export function importsOf(file: SourceFile): string[] {
  return [...file.text.matchAll(IMPORT)].flatMap((match) => {
    const target = resolveImport(file.path, match[1] ?? "");
    return target === null ? [] : [target];
  });
}

/** Folder-level cycles, each as the list of folders in it. */
export function folderCycles(files: readonly SourceFile[]): string[][] {
  const folders = serverFoldersOf(files);
  const edges = new Map<string, Set<string>>();
  for (const file of files) {
    const from = nodeOf(file.path, folders);
    if (!from) continue;
    for (const target of importsOf(file)) {
      const to = nodeOf(target, folders);
      if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  // Tarjan's strongly connected components: any component of two or more folders is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

/** Imports from one `src/server` folder into another's files instead of its index: "file → target". */
export function deepImports(files: readonly SourceFile[], isFolderIndex: (dir: string) => boolean): string[] {
  const folders = serverFoldersOf(files);
  const found: string[] = [];
  for (const file of files) {
    const from = nodeOf(file.path, folders);
    if (!from?.startsWith("server/")) continue;
    for (const target of importsOf(file)) {
      const to = nodeOf(target, folders);
      if (!to?.startsWith("server/") || to === from) continue;
      const inside = target.split("/").slice(3);
      if (inside.length === 0 || isFolderIndex(target)) continue;
      found.push(`${file.path} → ${target}`);
    }
  }
  return found;
}

function projectFiles(): SourceFile[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "src"], {
    encoding: "utf8",
  });
  return listed
    .split("\n")
    .filter((file) => /\.tsx?$/.test(file) && !file.startsWith("src/generated/") && existsSync(file))
    .map((file) => ({ path: file, text: readFileSync(file, "utf8") }));
}

describe("layering", () => {
  const all = projectFiles();
  const production = all.filter((file) => !isTestFile(file.path));

  it("finds a cycle and a deep import when there is one", () => {
    const files = [
      { path: "src/server/a/x.ts", text: 'import { b } from "@/server/b/y";' },
      { path: "src/server/b/y.ts", text: 'import { a } from "../a";' },
      { path: "src/server/c/z.ts", text: 'export * from "@/server/a";' },
    ];
    expect(folderCycles(files)).toEqual([["server/a", "server/b"]]);
    expect(deepImports(files, () => false)).toEqual(["src/server/a/x.ts → src/server/b/y"]);
    expect(deepImports(files, (dir) => dir === "src/server/b/y")).toEqual([]);
  });

  it("has no cycle between folders", () => {
    expect(production.length).toBeGreaterThan(100);
    expect(folderCycles(production)).toEqual([]);
  });

  it("reaches another server folder only through its index", () => {
    expect(deepImports(production, (dir) => existsSync(`${dir}/index.ts`))).toEqual([]);
  });

  it("keeps src/common free of server code", () => {
    // Its tests may compare the vocabulary with the server's rules (the catalogue with the conditions).
    const offenders = production
      .filter((file) => file.path.startsWith("src/common/"))
      .flatMap((file) =>
        importsOf(file)
          .filter((target) => target.startsWith("src/server"))
          .map((target) => `${file.path} → ${target}`),
      );
    expect(offenders).toEqual([]);
  });
});
