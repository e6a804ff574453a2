import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { MEDIAMTX_GLOBAL_KEYS, MEDIAMTX_PATH_KEYS, MEDIAMTX_USER_KEYS, VERSIONS } from "../../schema/allowlists";
import { CACHE_DIR, underCi } from "../helpers/servers";

/**
 * MediaMTX rejects unknown keys, but its release cannot be built with `go install`, so the allow-list
 * is checked against the pinned release's own schema (api/openapi.yaml from the Go module proxy).
 */
const specPath = join(CACHE_DIR, `mediamtx-${VERSIONS.mediamtx}-openapi.yaml`);
if (!existsSync(specPath) && underCi()) throw new Error(`under CI, and ${specPath} is missing; run scripts/install-test-servers.sh`);
if (!existsSync(specPath))
  process.stderr.write(`skipping MediaMTX schema conformance: ${specPath} is missing (run scripts/install-test-servers.sh)\n`);
const suite = existsSync(specPath) ? describe : describe.skip;

suite(`mediamtx.yml keys against MediaMTX ${VERSIONS.mediamtx} api/openapi.yaml`, () => {
  const spec = existsSync(specPath) ? parseYaml(readFileSync(specPath, "utf8")) : {};
  const props = (name: string): string[] => Object.keys(spec.components.schemas[name].properties);

  it("every global key we emit is a GlobalConf property", () => {
    expect(props("GlobalConf")).toEqual(expect.arrayContaining([...MEDIAMTX_GLOBAL_KEYS]));
  });

  it("every path key we emit is a PathConf property", () => {
    expect(props("PathConf")).toEqual(expect.arrayContaining([...MEDIAMTX_PATH_KEYS]));
  });

  it("every user key we emit is an AuthInternalUser property", () => {
    expect(props("AuthInternalUser")).toEqual(expect.arrayContaining([...MEDIAMTX_USER_KEYS]));
  });

  it("the renamed keys are the v1.11+ spellings, not the removed ones", () => {
    expect(MEDIAMTX_GLOBAL_KEYS.has("protocols")).toBe(false);
    expect(props("GlobalConf")).toContain("rtspTransports");
  });
});
