/**
 * Seeded randomness for the simulated continuum. Nothing in the simulation
 * calls Math.random: every random draw comes from a stream derived from the
 * continuum seed plus a key naming what is being drawn (cluster, pod, time
 * bucket). Keyed streams make results independent of how often or in which
 * order other things were sampled: reading the metrics twice does not change
 * the names of the next pods.
 */

export type Random = () => number;

/** mulberry32: a tiny 32-bit PRNG with a full 2^32 period; returns floats in [0, 1). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit string hash (cyrb53's mixing, low word); stable across runs and platforms. */
export function hash32(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return h1 >>> 0;
}

/** A seed for the stream named by `parts` under the continuum seed. */
export function deriveSeed(seed: number, ...parts: ReadonlyArray<string | number>): number {
  return hash32(parts.join("\u0000"), seed);
}

/** A fresh stream for the key `parts`. */
export function randomFor(seed: number, ...parts: ReadonlyArray<string | number>): Random {
  return mulberry32(deriveSeed(seed, ...parts));
}

/** One draw in [min, max) for the key `parts`. */
export function uniformFor(
  seed: number,
  min: number,
  max: number,
  ...parts: ReadonlyArray<string | number>
): number {
  return min + randomFor(seed, ...parts)() * (max - min);
}

/**
 * Smooth value noise in [-1, 1]: seeded knots every `periodMs`, blended with a
 * smoothstep, so a load curve wanders without jumping between samples.
 */
export function valueNoise(seed: number, key: string, timeMs: number, periodMs: number): number {
  const position = timeMs / periodMs;
  const knot = Math.floor(position);
  const fraction = position - knot;
  const at = (k: number) => randomFor(seed, "noise", key, k)() * 2 - 1;
  const blend = fraction * fraction * (3 - 2 * fraction);
  return at(knot) * (1 - blend) + at(knot + 1) * blend;
}

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
export const K8S_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(random: Random, length: number): string {
  let suffix = "";
  for (let i = 0; i < length; i++)
    suffix += K8S_SUFFIX_ALPHABET[Math.floor(random() * K8S_SUFFIX_ALPHABET.length)] ?? "x";
  return suffix;
}

/** Encodes a hash the way the ReplicaSet controller names pod-template hashes. */
export function hashSuffix(text: string): string {
  let value = hash32(text);
  let suffix = "";
  for (let i = 0; i < 10; i++) {
    suffix += K8S_SUFFIX_ALPHABET[value % K8S_SUFFIX_ALPHABET.length] ?? "x";
    value = Math.floor(value / K8S_SUFFIX_ALPHABET.length) || hash32(suffix);
  }
  return suffix;
}

/** A version-4-shaped UUID from a stream (deterministic, unlike crypto.randomUUID). */
export function uuidFrom(random: Random): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** JSON with sorted object keys, so equal objects hash and compare equal. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
