export * from "./kinds";
export * from "./queries";
export * from "./record";
export * from "./retention";
