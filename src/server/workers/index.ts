export * from "./roles";
export * from "./runtime";
