import { describe, expect, it } from "vitest";
import { fromJS, toJS, type GoMap } from "../template/values";
import { Chart, type Metadata } from "./chart";
import { coalesceValues, mergeMaps, parseSet } from "./values";

function md(name: string): Metadata {
  return {
    name,
    home: "",
    sources: [],
    version: "1.0.0",
    description: "",
    keywords: [],
    maintainers: [],
    icon: "",
    apiVersion: "v2",
    condition: "",
    tags: "",
    appVersion: "",
    deprecated: false,
    annotations: new Map(),
    kubeVersion: "",
    dependencies: [],
    type: "",
  };
}

function chart(name: string, values: unknown, deps: Chart[] = []): Chart {
  const c = new Chart(md(name), fromJS(values) as GoMap, [], [], undefined);
  for (const d of deps) c.addDependency(d);
  return c;
}

describe("values coalescing", () => {
  it("user values override chart defaults and maps merge", () => {
    const c = chart("app", { image: { repo: "nginx", tag: "1" }, replicas: 1 });
    const out = coalesceValues(c, fromJS({ image: { tag: "2" } }) as GoMap, 3);
    expect(toJS(out)).toEqual({ image: { repo: "nginx", tag: "2" }, replicas: 1 });
  });

  it("null deletes a default key", () => {
    const c = chart("app", { a: 1, b: 2 });
    const out = coalesceValues(c, fromJS({ a: null }) as GoMap, 3);
    expect(toJS(out)).toEqual({ b: 2 });
  });

  it("scopes subchart values and propagates globals", () => {
    const sub = chart("db", { port: 5432, global: { region: "eu" } });
    const c = chart("app", { db: { port: 6543 }, global: { env: "prod" } }, [sub]);
    const out = toJS(coalesceValues(c, new Map(), 3)) as Record<string, Record<string, unknown>>;
    expect(out.db).toEqual({ port: 6543, global: { env: "prod", region: "eu" } });
    expect(out.global).toEqual({ env: "prod" });
  });

  it("Helm 4 drops nulls from chart defaults instead of deleting subchart keys", () => {
    const sub = chart("sub", { hash: { k1: 1, k2: 2 } });
    const c = chart("top", { sub: { hash: { k1: null } } }, [sub]);
    expect(toJS(coalesceValues(c, new Map(), 4))).toEqual({ sub: { global: {}, hash: { k1: 1, k2: 2 } } });
    expect(toJS(coalesceValues(c, new Map(), 3))).toEqual({ sub: { global: {}, hash: { k2: 2 } } });
  });

  it("mergeMaps lets later files win", () => {
    const a = fromJS({ x: { y: 1, z: 2 } }) as GoMap;
    const b = fromJS({ x: { y: 3 } }) as GoMap;
    expect(toJS(mergeMaps(a, b))).toEqual({ x: { y: 3, z: 2 } });
  });

  it("parses --set with types, nesting and lists", () => {
    const m: GoMap = new Map();
    parseSet("a.b=true,c=5,d=0x1,e[1]=x,f={1,2},g=null", m);
    expect(toJS(m)).toEqual({ a: { b: true }, c: 5, d: "0x1", e: [null, "x"], f: [1, 2], g: null });
  });
});
