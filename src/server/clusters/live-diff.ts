import { type KubernetesManifest } from "./manifests";
import { parseQuantity } from "./quantity";

/**
 * Drift between what the console applied and what a cluster holds now, one
 * object at a time. Pure: the drift checker (`src/server/drift/`) and the
 * simulated cluster's apply (which must tell a hand-edited object from an
 * unchanged one) both use it.
 *
 * Only the fields the console applied are compared — the rendered manifest's
 * own fields — so whatever Kubernetes defaults (a Service's `clusterIP`, a
 * container's `terminationMessagePath`), a controller writes (`status`) or the
 * API server keeps (`metadata.uid`, `resourceVersion`, `managedFields`, …) is
 * never reported. Values are compared normalised: quantities by amount
 * ("0.5" = "500m"), numbers and numeric strings alike, an empty value the
 * same as an absent one, and a Secret's `stringData` as the `data` the API
 * server turns it into. Lists of objects are matched by their merge key
 * (`name`, `containerPort`, …), so an element added by hand is drift too.
 *
 * For a real cluster, `metadata.managedFields` says who owns each field now:
 * a field another manager changed by hand is reported with that manager's
 * name, and one an autoscaling controller took over is not reported at all.
 */

/** One field that differs; values are short JSON texts (null: absent), never a Secret's value. */
export interface FieldDrift {
  path: string;
  expected: string | null;
  actual: string | null;
  /** The field manager that owns the changed field now (real clusters), e.g. "kubectl-edit". */
  changedBy?: string;
}

/** Longest value text kept in a drift report: the summary is stored on the instance row. */
export const MAX_DRIFT_VALUE_CHARS = 160;
/** Most fields reported per object. */
export const MAX_FIELDS_PER_OBJECT = 20;
export const REDACTED = "<redacted>";

/** Field managers of controllers that legitimately own fields the console applied (replicas under an HPA). */
export const CONTROLLER_FIELD_MANAGERS: ReadonlySet<string> = new Set([
  "kube-controller-manager",
  "horizontal-pod-autoscaler",
  "vpa-updater",
  "vpa-recommender",
  "keda-operator",
]);

/** Metadata the console sets (labels, annotations); everything else there is the API server's. */
const COMPARED_METADATA = new Set(["labels", "annotations"]);
/** Keys that identify an element of a list of objects, in the order Kubernetes' merge keys are tried. */
const MERGE_KEYS = ["name", "containerPort", "mountPath", "port", "devicePath", "ip", "key", "type"];

type Json = unknown;
type Segment = { key: string } | { element: Json; index: number; label: string };

export interface DiffOptions {
  /** A field path (dotted, e.g. "spec.replicas") never to compare. */
  ignore?: (path: string) => boolean;
  /**
   * Who owns a field now (real clusters, from managedFields). Return the
   * managers; an empty list means unknown (the simulated cluster).
   */
  ownersOf?: (segments: readonly Segment[]) => string[];
}

export type { Segment as FieldSegment };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === "" ||
    (Array.isArray(value) && value.length === 0) ||
    (isRecord(value) && Object.keys(value).length === 0)
  );
}

function pathText(segments: readonly Segment[]): string {
  let text = "";
  for (const segment of segments) {
    if ("key" in segment) text += text === "" ? segment.key : `.${segment.key}`;
    else text += `[${segment.label}]`;
  }
  return text;
}

function isQuantityPath(segments: readonly Segment[]): boolean {
  return segments.some(
    (s) =>
      "key" in s &&
      (s.key === "resources" || s.key === "requests" || s.key === "limits" || s.key === "capacity"),
  );
}

function quantity(value: unknown): number | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  try {
    return parseQuantity(value);
  } catch {
    return null;
  }
}

function scalarEqual(expected: unknown, actual: unknown, segments: readonly Segment[]): boolean {
  if (expected === actual) return true;
  if (isEmpty(expected) && isEmpty(actual)) return true;
  const scalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  if (scalar(expected) && scalar(actual) && String(expected) === String(actual)) return true;
  if (isQuantityPath(segments)) {
    const a = quantity(expected);
    const b = quantity(actual);
    if (a !== null && b !== null) return Math.abs(a - b) <= Math.max(Math.abs(a), Math.abs(b)) * 1e-9;
  }
  return false;
}

/** Short JSON of a value for the report; null for absent. */
export function shortValue(value: unknown): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value) ?? "null";
  return text.length > MAX_DRIFT_VALUE_CHARS ? `${text.slice(0, MAX_DRIFT_VALUE_CHARS - 1)}…` : text;
}

/** The key matching desired elements to live ones: the first merge key every desired element has. */
function mergeKeyOf(elements: readonly unknown[]): string | null {
  if (elements.length === 0 || !elements.every(isRecord)) return null;
  for (const key of MERGE_KEYS)
    if (
      elements.every((e) => {
        const v = isRecord(e) ? e[key] : undefined;
        return typeof v === "string" || typeof v === "number";
      })
    )
      return key;
  return null;
}

interface Walk {
  drifts: FieldDrift[];
  options: DiffOptions;
  secret: boolean;
}

function report(walk: Walk, segments: readonly Segment[], expected: unknown, actual: unknown): void {
  const path = pathText(segments);
  if (walk.options.ignore?.(path)) return;
  const owners = walk.options.ownersOf?.(segments) ?? [];
  // A controller (an HPA, say) owns the field now and the console does not: its value is not drift.
  if (owners.length > 0 && owners.every((o) => CONTROLLER_FIELD_MANAGERS.has(o))) return;
  const secretValue =
    walk.secret && segments[0] !== undefined && "key" in segments[0] && segments[0].key === "data";
  const changedBy = owners.find((o) => o !== CONSOLE_FIELD_MANAGER);
  walk.drifts.push({
    path,
    expected: secretValue && expected !== undefined ? REDACTED : shortValue(expected),
    actual: secretValue && actual !== undefined ? REDACTED : shortValue(actual),
    ...(changedBy !== undefined && { changedBy }),
  });
}

function walkValue(walk: Walk, segments: Segment[], expected: unknown, actual: unknown): void {
  if (isRecord(expected)) {
    if (!isRecord(actual)) {
      if (!(isEmpty(expected) && isEmpty(actual))) report(walk, segments, expected, actual);
      return;
    }
    for (const [key, value] of Object.entries(expected)) {
      const next = [...segments, { key }];
      if (walk.options.ignore?.(pathText(next))) continue;
      if (!(key in actual) || actual[key] === undefined) {
        if (!isEmpty(value)) report(walk, next, value, undefined);
        continue;
      }
      walkValue(walk, next, value, actual[key]);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      if (!(isEmpty(expected) && isEmpty(actual))) report(walk, segments, expected, actual);
      return;
    }
    const key = mergeKeyOf(expected);
    if (key !== null && actual.every((e) => isRecord(e) && e[key] !== undefined)) {
      const liveByKey = new Map<string, unknown>(
        actual.map((e: unknown) => [String(isRecord(e) ? e[key] : ""), e]),
      );
      const wanted = new Set<string>();
      expected.forEach((element, index) => {
        const id = String((element as Record<string, unknown>)[key]);
        wanted.add(id);
        const next: Segment[] = [...segments, { element, index, label: `${key}=${id}` }];
        const live = liveByKey.get(id);
        if (live === undefined) report(walk, next, element, undefined);
        else walkValue(walk, next, element, live);
      });
      actual.forEach((element, index) => {
        const id = String((element as Record<string, unknown>)[key]);
        if (!wanted.has(id))
          report(walk, [...segments, { element, index, label: `${key}=${id}` }], undefined, element);
      });
      return;
    }
    if (expected.every((e) => !isRecord(e) && !Array.isArray(e))) {
      const same =
        expected.length === actual.length && expected.every((e, i) => scalarEqual(e, actual[i], segments));
      if (!same) report(walk, segments, expected, actual);
      return;
    }
    if (expected.length !== actual.length) {
      report(walk, segments, expected, actual);
      return;
    }
    expected.forEach((element, index) =>
      walkValue(walk, [...segments, { element, index, label: String(index) }], element, actual[index]),
    );
    return;
  }
  if (!scalarEqual(expected, actual, segments)) report(walk, segments, expected, actual);
}

/** The field manager the console applies with (server-side apply). */
export const CONSOLE_FIELD_MANAGER = "nemo-console";

/** A Secret's `stringData` as the API server stores it: base64 in `data`. */
function secretAsStored(manifest: KubernetesManifest): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone(manifest);
  const stringData = copy.stringData;
  if (isRecord(stringData)) {
    const data = isRecord(copy.data) ? { ...copy.data } : {};
    for (const [k, v] of Object.entries(stringData))
      if (typeof v === "string") data[k] = Buffer.from(v, "utf8").toString("base64");
    copy.data = data;
    delete copy.stringData;
  }
  return copy;
}

/**
 * The fields of `desired` that `live` does not match (empty: in sync).
 * `status`, and metadata other than labels and annotations, are never compared.
 */
export function diffLiveObject(
  desired: KubernetesManifest,
  live: Record<string, unknown>,
  options: DiffOptions = {},
): FieldDrift[] {
  const secret = desired.kind === "Secret";
  const expected = secret ? secretAsStored(desired) : (structuredClone(desired) as Record<string, unknown>);
  const walk: Walk = { drifts: [], options, secret };
  for (const [key, value] of Object.entries(expected)) {
    if (key === "status" || key === "apiVersion" || key === "kind") continue;
    if (key === "metadata") {
      const metadata = isRecord(value) ? value : {};
      const liveMetadata = isRecord(live.metadata) ? live.metadata : {};
      for (const field of COMPARED_METADATA)
        if (field in metadata)
          walkValue(walk, [{ key: "metadata" }, { key: field }], metadata[field], liveMetadata[field]);
      continue;
    }
    if (!(key in live)) {
      if (!isEmpty(value)) report(walk, [{ key }], value, undefined);
      continue;
    }
    walkValue(walk, [{ key }], value, live[key]);
  }
  return walk.drifts.slice(0, MAX_FIELDS_PER_OBJECT);
}

// ---------------------------------------------------------------------------
// managedFields (server-side apply's field ownership)

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
}

function elementMatches(entry: string, element: unknown, index: number): boolean {
  if (entry.startsWith("i:")) return Number(entry.slice(2)) === index;
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.slice(2));
  } catch {
    return false;
  }
  if (entry.startsWith("v:")) return JSON.stringify(parsed) === JSON.stringify(element);
  if (entry.startsWith("k:") && isRecord(parsed) && isRecord(element))
    return Object.entries(parsed).every(([k, v]) => String(element[k]) === String(v));
  return false;
}

/** True when a fieldsV1 set holds the field at `segments` (or a field under it). */
export function fieldsV1Holds(fieldsV1: unknown, segments: readonly Segment[]): boolean {
  let node: unknown = fieldsV1;
  for (const segment of segments) {
    if (!isRecord(node)) return false;
    if ("key" in segment) {
      node = node[`f:${segment.key}`];
    } else {
      const match = Object.keys(node).find((k) => elementMatches(k, segment.element, segment.index));
      node = match === undefined ? undefined : node[match];
    }
    if (node === undefined) return false;
  }
  return true;
}

/** The managers whose field set holds the field at `segments`, from an object's `metadata.managedFields`. */
export function fieldOwners(
  managedFields: readonly ManagedFieldsEntry[],
  segments: readonly Segment[],
): string[] {
  return managedFields
    .filter((entry) => entry.fieldsType === undefined || entry.fieldsType === "FieldsV1")
    .filter((entry) => fieldsV1Holds(entry.fieldsV1, segments))
    .map((entry) => entry.manager ?? "unknown");
}

/** The `metadata.managedFields` of a live object ([] when it has none, as simulated objects). */
export function managedFieldsOf(live: Record<string, unknown>): ManagedFieldsEntry[] {
  const metadata = isRecord(live.metadata) ? live.metadata : {};
  const entries = Array.isArray(metadata.managedFields) ? metadata.managedFields : [];
  return entries.filter(isRecord).map((e) => ({
    ...(typeof e.manager === "string" && { manager: e.manager }),
    ...(typeof e.operation === "string" && { operation: e.operation }),
    ...(typeof e.fieldsType === "string" && { fieldsType: e.fieldsType }),
    fieldsV1: e.fieldsV1,
  }));
}

/**
 * `diffLiveObject` with the ownership a live object carries: a real cluster's
 * managedFields name who changed a field and drop fields a controller owns.
 */
export function diffWithOwnership(
  desired: KubernetesManifest,
  live: Record<string, unknown>,
  ignore?: (path: string) => boolean,
): FieldDrift[] {
  const managed = managedFieldsOf(live);
  return diffLiveObject(desired, live, {
    ...(ignore && { ignore }),
    ...(managed.length > 0 && { ownersOf: (segments: readonly Segment[]) => fieldOwners(managed, segments) }),
  });
}
