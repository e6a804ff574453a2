export * from "./workload";
export * from "./container";
export * from "./swarmService";
export * from "./stack";
