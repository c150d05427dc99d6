-- Names and ids are unique per tenant, not across tenants: two service
-- providers may both register "shop 1.0" or upload an intent with the same
-- id, and a clash can no longer tell one tenant that another uses a name.
DROP INDEX "workloads_name_version_key";
CREATE UNIQUE INDEX "workloads_owner_id_name_version_key" ON "workloads"("owner_id", "name", "version");

DROP INDEX "intents_external_id_key";
CREATE UNIQUE INDEX "intents_owner_id_external_id_key" ON "intents"("owner_id", "external_id");
