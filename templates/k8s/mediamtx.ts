import type { Deployment } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import { CONTAINER_LAYOUT, serviceImage, type StackConfig } from "../../schema";
import { mediamtxJoinScript, mediamtxPartNames } from "../mediamtx";
import type { WorkloadInput } from "./input";
import { clusterService, containerSecurity, deploymentOf, digest, podTemplate, resources, SECRET_FILE_MODE } from "./common";

/** The image is FROM scratch and runs as root unless told otherwise. */

export interface MediamtxObjects {
  deployment: Deployment;
  service: Service;
}

/** The Secret of each part when nothing else names them (offline manifests): the workload's, then -1, -2, … */
export function mediamtxPartSecretNames(cfg: StackConfig, secretName: string): string[] {
  return mediamtxPartNames(cfg).map((_, i) => (i === 0 ? secretName : `${secretName}-${i}`));
}

/**
 * MediaMTX runs from the Secret-held body: per-camera credentials sit inside `paths`, and its env
 * overrides cannot address camera_<uuid> keys (they split at "_"). The body comes in parts, one
 * Secret each (a city's cameras would pass a Secret's 1 MiB), projected into one directory; an
 * init container joins them on a memory volume (the image itself is FROM scratch, without a shell).
 */
export function mediamtxObjects(
  cfg: StackConfig,
  input: WorkloadInput,
  partSecrets: readonly string[] = mediamtxPartSecretNames(cfg, input.secretName),
): MediamtxObjects {
  const p = cfg.mediamtx.ports;
  const m = CONTAINER_LAYOUT.mediamtx;
  const parts = mediamtxPartNames(cfg);
  if (parts.length !== partSecrets.length) throw new Error(`mediamtx.yml has ${parts.length} parts but ${partSecrets.length} Secrets`);
  const runtimeDir = m.config.replace(/\/[^/]+$/, "");
  const security = containerSecurity();
  const deployment = deploymentOf(
    cfg,
    "mediamtx",
    1,
    // Two instances would each pull every always-on camera: never run both at once.
    { type: "Recreate" },
    podTemplate(cfg, "mediamtx", digest(input.publicFiles), {
      terminationGracePeriodSeconds: 15,
      initContainers: [
        {
          name: "join-config",
          // The same release with a shell (the Docker target runs it too).
          image: serviceImage(cfg.versions, "mediamtx", "-ffmpeg"),
          command: ["/bin/sh", "-c", mediamtxJoinScript(CONTAINER_LAYOUT, parts)],
          resources: resources(cfg.mediamtx.resources),
          securityContext: security,
          volumeMounts: [
            { name: "parts", mountPath: m.partsDir, readOnly: true },
            { name: "runtime", mountPath: runtimeDir },
          ],
        },
      ],
      containers: [
        {
          name: "mediamtx",
          image: serviceImage(cfg.versions, "mediamtx"),
          args: [m.config],
          ports: [
            { name: "rtsp", containerPort: p.rtsp, protocol: "TCP" },
            { name: "api", containerPort: p.api, protocol: "TCP" },
          ],
          resources: resources(cfg.mediamtx.resources),
          securityContext: security,
          volumeMounts: [{ name: "runtime", mountPath: runtimeDir, readOnly: true }],
          // The API and metrics listeners admit loopback only, so probes use the RTSP listener.
          readinessProbe: { tcpSocket: { port: "rtsp" }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: "rtsp" }, initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 },
        },
      ],
      volumes: [
        {
          name: "parts",
          projected: {
            defaultMode: SECRET_FILE_MODE,
            sources: parts.map((part, i) => ({ secret: { name: partSecrets[i], items: [{ key: part, path: part }] } })),
          },
        },
        // The joined body holds every camera credential: memory only.
        { name: "runtime", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
      ],
    }),
  );
  // In-cluster only: cameras are pulled, never pushed; the reconciler sets forwards through the API.
  const service = clusterService(cfg, "mediamtx", [
    { name: "rtsp", port: p.rtsp },
    { name: "api", port: p.api },
  ]);
  return { deployment, service };
}
