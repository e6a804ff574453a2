export * from "./index";
export * from "./keys/livekit";
export * from "./keys/ingress";
export * from "./keys/coturn";
export * from "./keys/valkey";
export * from "./keys/mediamtx";
