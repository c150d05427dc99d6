-- `replicas` is the instance's desired replica count: spec.replicas of its
-- rendered Deployments and StatefulSets, summed (absent counts 1, as
-- Kubernetes defaults it). Rows written before it was computed kept the
-- column default 1; recompute them from the stored manifests (rendered YAML,
-- where spec.replicas sits at two spaces of indentation).
UPDATE "workload_instances" AS wi
SET "replicas" = COALESCE((
    SELECT SUM(COALESCE(substring(m ->> 'content' FROM E'\n  replicas: *([0-9]+)')::int, 1))
    FROM jsonb_array_elements(wi."manifests") AS m
    WHERE m ->> 'kind' IN ('Deployment', 'StatefulSet')
), 0)
WHERE jsonb_typeof(wi."manifests") = 'array';
