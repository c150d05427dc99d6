/** The instance page's views; `?tab=` opens one (plain data, so the server page can read it too). */
export const INSTANCE_TABS = [
  "overview",
  "timeline",
  "migrations",
  "manifests",
  "tree",
  "costs",
  "cfdrl",
] as const;
export type InstanceTab = (typeof INSTANCE_TABS)[number];
