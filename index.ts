import { readStackConfig } from "./components/stackConfig";
import { secretsFromEnv } from "./schema";
import { renderStack } from "./templates";

/**
 * The Pulumi program: read and validate the stack config, render every server's public config.
 * Validation errors name the config path and the fix and stop the run before any resource exists.
 */
const cfg = readStackConfig();

// Public files carry no secret, so rendering them needs no secret values; placeholders fill the
// secret parts, which are not exported.
const rendered = renderStack(cfg, secretsFromEnv({}).secrets);

export const target = cfg.target;
export const versions = cfg.versions;
export const publicConfig = Object.fromEntries(
  Object.values(rendered).flatMap((service) => (service ? Object.entries(service.publicFiles) : [])),
);
