/**
 * Kubernetes resource quantities ("250m", "2", "1.5", "512Mi", "1Gi", "1e3").
 *
 * Follows the grammar of k8s.io/apimachinery `resource.Quantity`: a signed
 * decimal number with an optional binary suffix (Ki … Ei), decimal suffix
 * (n, u, m, "", k, M, G, T, P, E) or decimal exponent. Manifests rendered from
 * YAML may carry plain numbers (`cpu: 1`), so numbers are accepted as well.
 */

export class QuantityError extends Error {
  override readonly name = "QuantityError";
  constructor(
    readonly input: unknown,
    reason: string,
  ) {
    super(`invalid quantity ${JSON.stringify(input)}: ${reason}`);
  }
}

const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY_PATTERN =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** Parses a quantity into its base unit (cores for CPU, bytes for memory/storage, a count for GPUs). */
export function parseQuantity(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new QuantityError(input, "not a finite number");
    return input;
  }
  const match = QUANTITY_PATTERN.exec(input.trim());
  if (!match) throw new QuantityError(input, "expected a number with an optional suffix like m, Mi, Gi or k");
  const [, numberPart = "", suffix, exponent] = match;
  const value = Number(numberPart);
  if (exponent !== undefined) return value * 10 ** Number(exponent);
  const multiplier = suffix === undefined ? 1 : (BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix]);
  if (multiplier === undefined) throw new QuantityError(input, `unknown suffix ${suffix}`);
  return value * multiplier;
}

function nonNegative(input: string | number, value: number): number {
  if (value < 0) throw new QuantityError(input, "resource quantities cannot be negative");
  return value;
}

/**
 * CPU in millicores. Kubernetes rounds sub-millicore precision up ("0.0001" → 1m);
 * the epsilon keeps float noise like 0.1 * 1000 = 100.00000000000001 from rounding to 101.
 */
export function parseCpuMillicores(input: string | number): number {
  const millicores = nonNegative(input, parseQuantity(input)) * 1000;
  return Math.ceil(millicores - 1e-9);
}

/** Memory or storage in bytes, rounded up to a whole byte as the API server does. */
export function parseBytes(input: string | number): number {
  return Math.ceil(nonNegative(input, parseQuantity(input)) - 1e-9);
}

/** Extended resources such as `nvidia.com/gpu` must be whole numbers. */
export function parseWholeCount(input: string | number): number {
  const value = nonNegative(input, parseQuantity(input));
  if (!Number.isInteger(value)) throw new QuantityError(input, "extended resources must be whole numbers");
  return value;
}

export const MIB = 2 ** 20;
export const GIB = 2 ** 30;

/** "1500m" → "1500m", 2000 → "2": the shortest form kubectl would print. */
export function formatMillicores(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Bytes as the largest exact binary suffix (1073741824 → "1Gi"), else plain bytes. */
export function formatBytes(bytes: number): string {
  for (const suffix of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"] as const) {
    const unit = BINARY_SUFFIXES[suffix] ?? 1;
    if (bytes !== 0 && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}
