export * from "./bearer";
export * from "./config";
export * from "./demo-users";
export * from "./session";
export * from "./session-users";
