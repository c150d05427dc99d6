export * from "./commands";
export * from "./evaluator";
export * from "./form";
export * from "./model";
export * from "./queries";
export * from "./record-report";
export * from "./report";
export * from "./retention";
