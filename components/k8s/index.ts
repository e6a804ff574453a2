export * from "./objects";
export * from "./workload";
export * from "./sfu";
export * from "./ingress";
export * from "./turn";
export * from "./valkey";
export * from "./mediamtx";
export * from "./stack";
