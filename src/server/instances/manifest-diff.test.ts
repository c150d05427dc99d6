import { describe, expect, it } from "vitest";
import { manifestDiff } from "./changes";

const doc = (kind: string, name: string, content: string) => ({
  source: `${name}.yaml`,
  kind,
  name,
  content,
});

describe("manifestDiff", () => {
  it("lists each object added, removed or changed, and counts the unchanged", () => {
    const before = [
      doc("Service", "web", "kind: Service\nport: 80\n"),
      doc("Deployment", "web", "kind: Deployment\nreplicas: 1\n"),
      doc("ConfigMap", "old", "kind: ConfigMap\n"),
    ];
    const after = [
      doc("Service", "web", "kind: Service\nport: 80\n"),
      doc("Deployment", "web", "kind: Deployment\nreplicas: 2\n"),
      doc("Ingress", "web", "kind: Ingress\nhost: a\n"),
    ];
    const diff = manifestDiff({ shown: before, opened: before }, { shown: after, opened: after });
    expect(diff.unchanged).toBe(1);
    expect(diff.objects.map((o) => [o.kind, o.name, o.change, o.added, o.removed])).toEqual([
      ["Deployment", "web", "changed", 1, 1],
      ["ConfigMap", "old", "removed", 0, 1],
      ["Ingress", "web", "added", 2, 0],
    ]);
  });

  it("tells a Secret whose values changed without showing them", () => {
    const shown = [doc("Secret", "db", "kind: Secret\ndata:\n  password: <redacted>\n")];
    const diff = manifestDiff(
      { shown, opened: [doc("Secret", "db", "kind: Secret\ndata:\n  password: b2xk\n")] },
      { shown, opened: [doc("Secret", "db", "kind: Secret\ndata:\n  password: bmV3\n")] },
    );
    expect(diff.objects).toHaveLength(1);
    expect(diff.objects[0]).toMatchObject({ kind: "Secret", change: "changed", secretValuesChanged: true });
    // Both sides read <redacted>: no line of the diff carries a value.
    expect(diff.objects[0]!.lines.every((l) => l.op === "same")).toBe(true);
    expect(JSON.stringify(diff)).not.toMatch(/b2xk|bmV3/);
  });
});
