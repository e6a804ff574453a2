import type { Deployment } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import { imageRef, type StackConfig } from "../../schema";
import type { WorkloadInput } from "./input";
import { clusterService, containerSecurity, deploymentOf, digest, fileVolumes, podTemplate, resources } from "./common";

/** The image is FROM scratch and runs as root unless told otherwise. */
const MEDIAMTX_UID = 65534;

export interface MediamtxObjects {
  deployment: Deployment;
  service: Service;
}

/**
 * MediaMTX runs from the Secret-held body: per-camera credentials sit inside `paths`, and its env
 * overrides cannot address camera_<uuid> keys (they split at "_").
 */
export function mediamtxObjects(cfg: StackConfig, input: WorkloadInput): MediamtxObjects {
  const p = cfg.mediamtx.ports;
  const { volumes, mounts } = fileVolumes(undefined, {}, input.secretName, input.secretFiles, input.paths);
  const deployment = deploymentOf(
    cfg,
    "mediamtx",
    1,
    // Two instances would each pull every always-on camera: never run both at once.
    { type: "Recreate" },
    podTemplate(cfg, "mediamtx", MEDIAMTX_UID, digest(input.publicFiles), {
      terminationGracePeriodSeconds: 15,
      containers: [
        {
          name: "mediamtx",
          image: imageRef("mediamtx", cfg.versions.mediamtx),
          ports: [
            { name: "rtsp", containerPort: p.rtsp, protocol: "TCP" },
            { name: "api", containerPort: p.api, protocol: "TCP" },
          ],
          resources: resources(cfg.mediamtx.resources),
          securityContext: containerSecurity({ readOnlyRoot: true }),
          volumeMounts: mounts,
          // The API and metrics listeners admit loopback only, so probes use the RTSP listener.
          readinessProbe: { tcpSocket: { port: "rtsp" }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: "rtsp" }, initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 },
        },
      ],
      volumes,
    }),
  );
  // In-cluster only: cameras are pulled, never pushed; the reconciler sets forwards through the API.
  const service = clusterService(cfg, "mediamtx", [
    { name: "rtsp", port: p.rtsp },
    { name: "api", port: p.api },
  ]);
  return { deployment, service };
}
