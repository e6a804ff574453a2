import type { Deployment } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import { SERVICE_NAMES, imageRef, type StackConfig } from "../../schema";
import type { WorkloadInput } from "./input";
import { containerSecurity, digest, fileVolumes, labels, LABEL, nodeAffinity, podSecurity, resources, selectorLabels } from "./common";

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
  const ns = cfg.kubernetes.namespace;
  const p = cfg.mediamtx.ports;
  const { volumes, mounts } = fileVolumes(undefined, {}, input.secretName, input.secretFiles, input.paths);
  const deployment: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: SERVICE_NAMES.mediamtx, namespace: ns, labels: labels("mediamtx") },
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorLabels("mediamtx") },
      // Two instances would each pull every always-on camera: never run both at once.
      strategy: { type: "Recreate" },
      template: {
        metadata: { labels: labels("mediamtx"), annotations: { [LABEL.configDigest]: digest(input.publicFiles) } },
        spec: {
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 15,
          securityContext: podSecurity(MEDIAMTX_UID),
          nodeSelector: Object.keys(cfg.kubernetes.nodeSelector).length > 0 ? cfg.kubernetes.nodeSelector : undefined,
          affinity: { nodeAffinity: nodeAffinity() },
          containers: [
            {
              name: "mediamtx",
              image: imageRef("mediamtx", cfg.versions.mediamtx),
              ports: [
                { name: "rtsp", containerPort: p.rtsp, protocol: "TCP" },
                { name: "srt", containerPort: p.srt, protocol: "UDP" },
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
        },
      },
    },
  };
  const service: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SERVICE_NAMES.mediamtx, namespace: ns, labels: labels("mediamtx") },
    spec: {
      // In-cluster only: Ingress reads srt://lkstack-mediamtx:8890; cameras are pulled, never pushed.
      type: "ClusterIP",
      selector: selectorLabels("mediamtx"),
      ports: [
        { name: "rtsp", port: p.rtsp, targetPort: "rtsp", protocol: "TCP" },
        { name: "srt", port: p.srt, targetPort: "srt", protocol: "UDP" },
      ],
    },
  };
  return { deployment, service };
}
