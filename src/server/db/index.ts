export * from "./client";
export * from "./pagination";
export * from "./leases";
