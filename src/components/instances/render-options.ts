/**
 * The instance page's "Render options": what the chart was rendered with
 * beyond its defaults. A values override counts: an instance rendered with one
 * used to read "Defaults".
 */
export function renderOptionsLabel(instance: {
  /** The override as the page gets it (secrets redacted); null or blank when none was given. */
  valuesOverride: string | null;
  includeCrds: boolean;
  isUpgrade: boolean;
  noHooks: boolean;
}): string {
  const options = [
    instance.valuesOverride?.trim() ? "Values override applied" : null,
    instance.includeCrds ? "Include CRDs" : null,
    instance.isUpgrade ? "Is Upgrade" : null,
    instance.noHooks ? "No Hooks" : null,
  ].filter((o): o is string => o !== null);
  return options.length > 0 ? options.join(" · ") : "Defaults";
}
