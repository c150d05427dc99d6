/**
 * A line diff for people: which lines of `before` were removed, which of
 * `after` were added, and which are shared, in order — what `diff -u` shows.
 * A longest common subsequence over the lines that differ (the common head
 * and tail are matched first), so a changed value reads as one `-` and one `+`
 * line in place. Pure; the server computes it for the manifest diff of an
 * instance change and the browser renders it.
 */

export type DiffOp = "same" | "added" | "removed";

export interface DiffLine {
  op: DiffOp;
  text: string;
}

/** Past this many cells of the LCS table the middle is shown as removed-then-added (still correct, less tidy). */
const MAX_TABLE_CELLS = 4_000_000;

export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  // A trailing newline ends the last line; it does not start an empty one.
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The line diff of two texts. */
export function diffLines(before: string, after: string): DiffLine[] {
  return diffLineArrays(splitLines(before), splitLines(after));
}

export function diffLineArrays(a: readonly string[], b: readonly string[]): DiffLine[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail++;
  }
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ op: "same", text }));
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  out.push(...middle(midA, midB));
  for (const text of a.slice(a.length - tail)) out.push({ op: "same", text });
  return out;
}

function middle(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((text) => ({ op: "added", text }));
  if (m === 0) return a.map((text) => ({ op: "removed", text }));
  if ((n + 1) * (m + 1) > MAX_TABLE_CELLS) {
    return [
      ...a.map((text): DiffLine => ({ op: "removed", text })),
      ...b.map((text): DiffLine => ({ op: "added", text })),
    ];
  }
  // lcs[i][j]: length of the LCS of a[i..] and b[j..], row-major in one array.
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: "same", text: a[i] as string });
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number)) {
      out.push({ op: "removed", text: a[i] as string });
      i++;
    } else {
      out.push({ op: "added", text: b[j] as string });
      j++;
    }
  }
  for (; i < n; i++) out.push({ op: "removed", text: a[i] as string });
  for (; j < m; j++) out.push({ op: "added", text: b[j] as string });
  return out;
}

/** How many lines were added and removed. */
export function diffStats(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.op === "added") added++;
    else if (line.op === "removed") removed++;
  }
  return { added, removed };
}
