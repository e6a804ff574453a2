// Apart from secrets.ts (which needs zod) so the CLI reads these names without loading the schema.
/** Environment variables `lkstack render` reads secrets from (the seed's names where it has one). */
export const SECRET_ENV = {
  apiKey: "LIVEKIT_API_KEY",
  apiSecret: "LIVEKIT_API_SECRET",
  turnSecret: "TURN_SECRET",
  valkeyPassword: "VALKEY_PASSWORD",
  mediamtxApiPassword: "MEDIAMTX_API_PASSWORD",
  mediamtxReadPassword: "MEDIAMTX_READ_PASSWORD",
  metricsPassword: "LKSTACK_METRICS_PASSWORD",
  cameraCredentials: "LKSTACK_CAMERA_CREDENTIALS",
} as const;
