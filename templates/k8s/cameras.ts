import type { ConfigMap } from "kubernetes-types/core/v1";
import type { Deployment } from "kubernetes-types/apps/v1";
import { CONTAINER_LAYOUT, DEFAULT_PORTS, DEFAULTS, RECONCILER_IMAGE, topology, type StackConfig } from "../../schema";
import { FILE_NAMES } from "../stack";
import type { WorkloadInput } from "./input";
import { configMap, containerSecurity, deploymentOf, digest, fileVolumes, podTemplate, resources, secretEnv } from "./common";

/** The node image's own unprivileged user. */
const NODE_UID = 1000;

export interface CamerasObjects {
  configMap: ConfigMap;
  deployment: Deployment;
}

/** Settings the reconciler reads from env; shared by both targets. */
export function reconcilerEnv(cfg: StackConfig): Record<string, string> {
  return {
    LIVEKIT_URL: topology(cfg).sfuWsUrl,
    LKSTACK_STACK_JSON: CONTAINER_LAYOUT.cameras.stack,
    LKSTACK_RECONCILE_SECONDS: String(DEFAULTS.reconcileSeconds),
    LKSTACK_HEALTH_PORT: String(DEFAULT_PORTS.cameras.health),
  };
}

/**
 * The camera reconciler: the bundled runner and the stack config in a content-named ConfigMap,
 * run by a stock Node image; credentials from its Secret. One replica (Recreate): two would race.
 */
export function camerasObjects(cfg: StackConfig, input: WorkloadInput, code: string): CamerasObjects {
  const files = { ...input.publicFiles, [FILE_NAMES.reconciler]: code };
  const cm = configMap(cfg, "cameras", files);
  const { volumes, mounts } = fileVolumes(cm.metadata?.name, files, input.secretName, input.secretFiles, input.paths);
  const env = reconcilerEnv(cfg);
  const deployment = deploymentOf(
    cfg,
    "cameras",
    1,
    { type: "Recreate" },
    podTemplate(cfg, "cameras", NODE_UID, digest(files), {
      terminationGracePeriodSeconds: 10,
      containers: [
        {
          name: "reconciler",
          image: RECONCILER_IMAGE,
          command: ["node", CONTAINER_LAYOUT.cameras.code],
          env: [...Object.entries(env).map(([name, value]) => ({ name, value })), ...secretEnv(input.secretName, input.secretEnvNames)],
          ports: [{ name: "health", containerPort: Number(env.LKSTACK_HEALTH_PORT), protocol: "TCP" }],
          resources: resources(DEFAULTS.resources.cameras),
          securityContext: containerSecurity({ readOnlyRoot: true }),
          volumeMounts: mounts,
          readinessProbe: { httpGet: { path: "/healthz", port: "health" }, periodSeconds: 15 },
          livenessProbe: { httpGet: { path: "/healthz", port: "health" }, initialDelaySeconds: 30, periodSeconds: 30, failureThreshold: 3 },
        },
      ],
      volumes,
    }),
  );
  return { configMap: cm, deployment };
}
