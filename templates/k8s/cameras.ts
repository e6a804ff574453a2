import type { ConfigMap } from "kubernetes-types/core/v1";
import type { Deployment } from "kubernetes-types/apps/v1";
import { CONTAINER_LAYOUT, DEFAULTS, RECONCILER_IMAGE, type StackConfig } from "../../schema";
import { RECONCILER_ENV, reconcilerEnv } from "../reconciler";
import { FILE_NAMES } from "../stack";
import type { WorkloadInput } from "./input";
import { configMap, containerSecurity, deploymentOf, digest, podTemplate, resources, secretEnv } from "./common";

/** The node image's own unprivileged user. */

export interface CamerasObjects {
  /** The bundled reconciler, then one per cameras-NNN.json chunk (each under the ConfigMap limit). */
  configMaps: ConfigMap[];
  deployment: Deployment;
}

/**
 * The camera reconciler: the bundled runner in one content-named ConfigMap and its input, the
 * desired ingresses, in one per chunk, projected into one directory; run by a stock Node image,
 * credentials from its Secret. One replica (Recreate): two would race.
 */
export function camerasObjects(cfg: StackConfig, input: WorkloadInput, code: string): CamerasObjects {
  const codeFiles = { [FILE_NAMES.reconciler]: code };
  const codeMap = configMap(cfg, "cameras", codeFiles, "code");
  const chunkMaps = Object.entries(input.publicFiles).map(([name, body]) => configMap(cfg, "cameras", { [name]: body }));
  const env = reconcilerEnv(cfg);
  const deployment = deploymentOf(
    cfg,
    "cameras",
    1,
    { type: "Recreate" },
    podTemplate(cfg, "cameras", digest({ ...input.publicFiles, ...codeFiles }), {
      terminationGracePeriodSeconds: 10,
      containers: [
        {
          name: "reconciler",
          image: RECONCILER_IMAGE,
          command: ["node", CONTAINER_LAYOUT.cameras.code],
          env: [...Object.entries(env).map(([name, value]) => ({ name, value })), ...secretEnv(input.secretName, input.secretEnvNames)],
          ports: [{ name: "health", containerPort: Number(env[RECONCILER_ENV.healthPort]), protocol: "TCP" }],
          resources: resources(DEFAULTS.resources.cameras),
          securityContext: containerSecurity(),
          volumeMounts: [
            { name: "code", mountPath: CONTAINER_LAYOUT.cameras.code, subPath: FILE_NAMES.reconciler, readOnly: true },
            { name: "ingresses", mountPath: CONTAINER_LAYOUT.cameras.ingressesDir, readOnly: true },
          ],
          readinessProbe: { httpGet: { path: "/healthz", port: "health" }, periodSeconds: 15 },
          livenessProbe: { httpGet: { path: "/healthz", port: "health" }, initialDelaySeconds: 30, periodSeconds: 30, failureThreshold: 3 },
        },
      ],
      volumes: [
        { name: "code", configMap: { name: codeMap.metadata.name } },
        {
          name: "ingresses",
          projected: {
            sources: chunkMaps.map((cm) => ({
              configMap: { name: cm.metadata.name, items: Object.keys(cm.data).map((key) => ({ key, path: key })) },
            })),
          },
        },
      ],
    }),
  );
  return { configMaps: [codeMap, ...chunkMaps], deployment };
}
