import { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import {
  openSecret,
  redactSecretManifest,
  redactYamlSecrets,
  sealSecret,
  isSecretManifest,
} from "@/server/secrets";

/**
 * An instance's secrets at rest: the values override is stored sealed
 * (`values_override_cipher`), and so is the original content of every
 * rendered `Secret` (`manifest_secrets_cipher`, by index), while `manifests`
 * keeps those Secrets with `<redacted>` values. What needs no secret (lists,
 * placement, the redacted views) reads the columns as they are; only the
 * orchestrator's apply and an owner's explicit reveal open the seals.
 *
 * Rows written before sealing (plaintext `values_override`, Secrets in
 * `manifests` without a cipher) are read as they are and redacted on the way
 * out; {@link sealLegacyInstanceSecrets} seals them.
 */

/** One rendered document as stored in `workload_instances.manifests`. */
export interface StoredManifest {
  source: string;
  kind: string;
  name: string;
  content: string;
}

/** The columns that hold an instance's secrets. */
export interface InstanceSecretColumns {
  valuesOverride: string | null;
  valuesOverrideCipher: Uint8Array | null;
  manifests: Prisma.JsonValue | null;
  manifestSecretsCipher: Uint8Array | null;
}

export const instanceSecretColumnsSelect = {
  valuesOverride: true,
  valuesOverrideCipher: true,
  manifests: true,
  manifestSecretsCipher: true,
} satisfies Prisma.WorkloadInstanceSelect;

/** The `manifests` column as documents (a malformed entry is left out rather than shown raw). */
export function storedManifests(value: Prisma.JsonValue | null): StoredManifest[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: Prisma.JsonValue) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return [];
    const { source, kind, name, content } = entry;
    if (typeof kind !== "string" || typeof name !== "string" || typeof content !== "string") return [];
    return [{ source: typeof source === "string" ? source : "", kind, name, content }];
  });
}

/** What an instance row stores for a values override and rendered manifests: sealed, Secrets redacted. */
export function sealInstanceSecrets(
  valuesOverride: string | null,
  manifests: readonly StoredManifest[],
): {
  valuesOverride: null;
  valuesOverrideCipher: Uint8Array<ArrayBuffer> | null;
  manifests: StoredManifest[];
  manifestSecretsCipher: Uint8Array<ArrayBuffer> | null;
} {
  const originals: Record<string, string> = {};
  const redacted = manifests.map((manifest, index) => {
    const content = redactSecretManifest(manifest.content);
    if (content === manifest.content && !isSecretManifest(manifest)) return { ...manifest };
    originals[String(index)] = manifest.content;
    return { ...manifest, content };
  });
  return {
    valuesOverride: null,
    valuesOverrideCipher: valuesOverride ? sealSecret(valuesOverride).cipher : null,
    manifests: redacted,
    // Sealed whenever the render had a Secret, even one without values: the row then counts as sealed.
    manifestSecretsCipher:
      Object.keys(originals).length > 0 ? sealSecret(JSON.stringify(originals)).cipher : null,
  };
}

/** The values override in clear (sealed or a legacy plaintext row); null when there is none. */
export function openValuesOverride(
  row: Pick<InstanceSecretColumns, "valuesOverride" | "valuesOverrideCipher">,
) {
  return row.valuesOverrideCipher ? openSecret(row.valuesOverrideCipher) : row.valuesOverride;
}

/** The rendered manifests with every Secret's original content: what is applied to a cluster. */
export function openManifests(
  row: Pick<InstanceSecretColumns, "manifests" | "manifestSecretsCipher">,
): StoredManifest[] {
  const manifests = storedManifests(row.manifests);
  if (!row.manifestSecretsCipher) return manifests;
  const originals = JSON.parse(openSecret(row.manifestSecretsCipher)) as Record<string, string>;
  return manifests.map((manifest, index) => {
    const original = originals[String(index)];
    return original === undefined ? manifest : { ...manifest, content: original };
  });
}

/**
 * The values override and manifests as an answer shows them: redacted
 * (secret-named keys and Secret values read `<redacted>`), or opened when
 * `reveal` (the caller checked that the owner asked). Redacting again on the
 * way out covers rows written before sealing.
 */
export function shownValuesOverride(
  row: Pick<InstanceSecretColumns, "valuesOverride" | "valuesOverrideCipher">,
  reveal: boolean,
): string | null {
  if (reveal) return openValuesOverride(row);
  // A sealed override is opened only to redact it: its non-secret keys are the provider's to see.
  const text = openValuesOverride(row);
  return text === null ? null : redactYamlSecrets(text);
}

export function shownManifests(
  row: Pick<InstanceSecretColumns, "manifests" | "manifestSecretsCipher">,
  reveal: boolean,
): StoredManifest[] {
  if (reveal) return openManifests(row);
  return storedManifests(row.manifests).map((m) => ({ ...m, content: redactSecretManifest(m.content) }));
}

/**
 * Seals the secrets of rows written before sealing existed (SQL cannot: the
 * key is not in the database). Run by the orchestrator's leader; each row is
 * locked, re-read and rewritten in its own transaction. Returns how many rows
 * it sealed.
 */
export async function sealLegacyInstanceSecrets(db: Db, batch = 100): Promise<number> {
  const legacy = await db.$queryRaw<Array<{ id: string }>>(Prisma.sql`
    SELECT id FROM workload_instances
    WHERE values_override IS NOT NULL
       OR (manifest_secrets_cipher IS NULL AND manifests @> '[{"kind": "Secret"}]'::jsonb)
    LIMIT ${batch}`);
  let sealed = 0;
  for (const { id } of legacy) {
    await db.$transaction(async (tx) => {
      await tx.$queryRaw(Prisma.sql`SELECT 1 FROM workload_instances WHERE id = ${id}::uuid FOR UPDATE`);
      const row = await tx.workloadInstance.findUnique({
        where: { id },
        select: instanceSecretColumnsSelect,
      });
      if (!row) return;
      const plainValues = openValuesOverride(row);
      const manifests = row.manifestSecretsCipher ? null : storedManifests(row.manifests);
      const next = sealInstanceSecrets(plainValues, manifests ?? []);
      const bytes = (cipher: Uint8Array | null) => (cipher ? Buffer.from(cipher) : null);
      // Raw SQL so updated_at stays: sealing is not a change of the instance.
      await tx.$executeRaw(Prisma.sql`
        UPDATE workload_instances SET values_override = NULL, values_override_cipher = ${bytes(next.valuesOverrideCipher)}
        WHERE id = ${id}::uuid`);
      if (manifests) {
        await tx.$executeRaw(Prisma.sql`
          UPDATE workload_instances
          SET manifests = ${JSON.stringify(next.manifests)}::jsonb, manifest_secrets_cipher = ${bytes(next.manifestSecretsCipher)}
          WHERE id = ${id}::uuid`);
      }
      sealed += 1;
    });
  }
  return sealed;
}
