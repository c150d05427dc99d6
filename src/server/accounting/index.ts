export * from "./registration";
export * from "./units";
