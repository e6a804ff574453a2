import type { ConfigMap } from "kubernetes-types/core/v1";
import type { Deployment } from "kubernetes-types/apps/v1";
import { CONTAINER_LAYOUT, DEFAULTS, RECONCILER_IMAGE, type StackConfig } from "../../schema";
import { RECONCILER_ENV, reconcilerEnv } from "../reconciler";
import { FILE_NAMES } from "../stack";
import type { WorkloadInput } from "./input";
import { configMap, containerSecurity, deploymentOf, digest, fileVolumes, podTemplate, resources, secretEnv } from "./common";

/** The node image's own unprivileged user. */
const NODE_UID = 1000;

export interface CamerasObjects {
  configMap: ConfigMap;
  deployment: Deployment;
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
          ports: [{ name: "health", containerPort: Number(env[RECONCILER_ENV.healthPort]), protocol: "TCP" }],
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
