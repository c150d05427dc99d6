export * from "./model";
export * from "./rng";
export * from "./replay-buffer";
export * from "./dqn";
export * from "./store";
export * from "./migration-model";
