export * from "./client";
export * from "./pagination";
export * from "./unavailable";
export * from "./leases";
export * from "./rows";
