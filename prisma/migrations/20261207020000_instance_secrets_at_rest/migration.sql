-- An instance's values override and the values of its rendered Secret
-- manifests are stored sealed (AES-256-GCM with NEMO_SECRET_KEY, see
-- src/server/secrets): `values_override_cipher` holds the whole override,
-- `manifest_secrets_cipher` the original content of every Secret document
-- (by its index in `manifests`, where the Secret shows "<redacted>" values).
-- SQL does not hold the key, so rows written before stay plaintext here:
-- `values_override` is kept only for them, and the orchestrator's leader
-- seals them (sealLegacyInstanceSecrets); until then readers accept both.
ALTER TABLE "workload_instances"
  ADD COLUMN "values_override_cipher" BYTEA,
  ADD COLUMN "manifest_secrets_cipher" BYTEA;
