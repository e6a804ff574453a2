import { DEFAULTS } from "./defaults";
import type { ConfigProblem } from "./errors";
import { camerasWithIngest } from "./cameraIngest";
import type { ResourceLimits, StackConfigParsed } from "./stack";

/** Publisher processes for the passthrough cameras (0 without any). */
export function publisherReplicaCount(c: Pick<StackConfigParsed, "cameras" | "publisher">): number {
  return Math.ceil(camerasWithIngest(c.cameras, "passthrough").length / c.publisher.camerasPerReplica);
}

/** Cores rounded up to a tenth, as Kubernetes writes them ("1300m"), never below 100m. */
function cpuQuantity(cores: number): string {
  return `${Math.max(100, Math.ceil(cores * 10) * 100)}m`;
}

/**
 * The publisher's resources: as configured, or sized for its share of the passthrough cameras
 * (DEFAULTS.publisherBase + publisherPerCamera × share). Limits are twice the requests: a camera
 * reconnecting after an outage sends a burst of keyframes at once.
 */
export function resolvePublisherResources(c: Pick<StackConfigParsed, "cameras" | "publisher">): ResourceLimits {
  if (c.publisher.resources) return c.publisher.resources;
  const replicas = Math.max(1, publisherReplicaCount(c));
  const share = Math.ceil(camerasWithIngest(c.cameras, "passthrough").length / replicas);
  const cores = DEFAULTS.publisherBase.cpu + share * DEFAULTS.publisherPerCamera.cpu;
  const mib = DEFAULTS.publisherBase.memoryMiB + share * DEFAULTS.publisherPerCamera.memoryMiB;
  const memory = (n: number) => `${Math.ceil(n / 32) * 32}Mi`;
  return { requests: { cpu: cpuQuantity(cores), memory: memory(mib) }, limits: { cpu: cpuQuantity(2 * cores), memory: memory(2 * mib) } };
}

/** Where the publisher's image comes from must be known before anything is created. */
export function checkPublisher(c: StackConfigParsed, out: ConfigProblem[]): void {
  const passthrough = camerasWithIngest(c.cameras, "passthrough").length;
  if (c.publisher.image && c.publisher.build)
    out.push({
      path: ["publisher", "build"],
      problem: "both an image to run and a repository to build into are set",
      fix: "keep lkstack:publisher.image (an image you pushed) or lkstack:publisher.build.repository (the program builds and pushes), not both",
    });
  if (passthrough > 0 && c.target === "kubernetes" && !c.publisher.image && !c.publisher.build)
    out.push({
      path: ["publisher", "image"],
      problem: `${passthrough} passthrough camera(s) need the publisher, and a cluster can only pull its image from a registry`,
      fix: "set lkstack:publisher.build.repository (e.g. registry.example.org/cctv/lkstack-publisher; the program builds publisher/Dockerfile and pushes), or lkstack:publisher.image to an image you pushed",
    });
  if (c.target === "docker" && passthrough > c.publisher.camerasPerReplica)
    out.push({
      path: ["publisher", "camerasPerReplica"],
      problem: `the Docker target runs one publisher, and ${passthrough} passthrough cameras exceed its ${c.publisher.camerasPerReplica}`,
      fix: `raise lkstack:publisher.camerasPerReplica to ${passthrough} (its resources grow with it), or deploy to the kubernetes target, which shards them`,
    });
  if (passthrough > 0 && !c.mediamtx.enabled)
    out.push({
      path: ["mediamtx", "enabled"],
      problem: "the publisher reads passthrough cameras from MediaMTX, which is disabled",
      fix: "enable MediaMTX",
    });
}
