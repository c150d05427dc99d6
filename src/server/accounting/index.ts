export * from "./registration";
export * from "./units";
export * from "./rules";
export * from "./regions";
export * from "./settings";
