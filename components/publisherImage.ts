import { existsSync } from "node:fs";
import { join } from "node:path";
import * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../schema";
import { publisherImage } from "../templates";

/** The package root, from the sources (components/) or the build (dist/components/). */
const ROOT = existsSync(join(__dirname, "..", "package.json")) ? join(__dirname, "..") : join(__dirname, "..", "..");

/** The publisher's sources and Dockerfile, shipped with the package. */
export const PUBLISHER_DIR = join(ROOT, "publisher");

/**
 * The image the publisher runs: the reference given in `lkstack:publisher.image`, or
 * publisher/Dockerfile built by the docker provider — pushed to `lkstack:publisher.build.repository`
 * and run by its digest (a cluster pulls exactly what was built), or kept on the Docker host.
 */
export function publisherImageFor(name: string, cfg: StackConfig, parent: pulumi.Resource): pulumi.Input<string> {
  if (cfg.publisher.image) return cfg.publisher.image;
  const repository = cfg.publisher.build?.repository;
  const image = new docker.Image(
    `${name}-publisher-image`,
    {
      imageName: publisherImage(cfg),
      build: { context: PUBLISHER_DIR, dockerfile: join(PUBLISHER_DIR, "Dockerfile"), platform: "linux/amd64" },
      skipPush: repository === undefined,
    },
    { parent },
  );
  return repository === undefined ? image.imageName : image.repoDigest;
}
