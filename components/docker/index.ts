export * from "./workload";
export * from "./stack";
