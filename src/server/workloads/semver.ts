/**
 * Semantic Versioning 2.0.0 (semver.org), strict: MAJOR.MINOR.PATCH with
 * optional pre-release and build metadata, no leading "v", no leading zeros.
 * Workload versions and Chart.yaml versions both follow it, as Helm requires
 * for chart versions.
 */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemVer(value: string): boolean {
  return value.length <= 256 && SEMVER.test(value);
}

export const SEMVER_HINT = "Use a SemVer version such as 1.0.0 or 2.1.0-rc.1.";
