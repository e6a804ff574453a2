export * from "./livekit";
export * from "./ingress";
export * from "./coturn";
export * from "./valkey";
export * from "./mediamtx";
export { toYaml } from "./common";
export * from "./stack";
export * from "./k8s";
export * from "./docker";
