import { readStackConfig } from "./components/stackConfig";
import { renderPublicFiles } from "./templates";

/**
 * The Pulumi program: read and validate the stack config, render every server's public config.
 * Validation errors name the config path and the fix and stop the run before any resource exists.
 */
const cfg = readStackConfig();

export const target = cfg.target;
export const versions = cfg.versions;
export const publicConfig = renderPublicFiles(cfg);
