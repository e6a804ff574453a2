import { parse as parseYaml } from "yaml";
import {
  COTURN_FORBIDDEN,
  COTURN_OPTIONS,
  INGRESS_KEYS,
  LIVEKIT_KEYS_V1_13,
  LIVEKIT_MAP_KEYS,
  MEDIAMTX_GLOBAL_KEYS,
  MEDIAMTX_PATH_KEYS,
  MEDIAMTX_TOP_SECTIONS,
  MEDIAMTX_USER_KEYS,
  SENTINEL_DIRECTIVES,
  VALKEY_DIRECTIVES,
  secretValues,
  type StackConfig,
} from "../../schema/allowlists";
import { FILE_NAMES, renderStack } from "../../templates";
import { TEST_SECRETS } from "./fixtures";
import { directives, keyPaths } from "./keyPaths";

export function assertWithinAllowLists(cfg: StackConfig): void {
  const r = renderStack(cfg, TEST_SECRETS);
  const lk = parseYaml(r.sfu?.publicFiles[FILE_NAMES.livekit] ?? "") as Record<string, unknown>;
  for (const p of keyPaths(lk, LIVEKIT_MAP_KEYS)) expect(LIVEKIT_KEYS_V1_13).toContain(p);
  if (r.ingress) {
    const series = cfg.versions.livekitIngress.startsWith("v1.4") ? "1.4" : "1.5";
    for (const p of keyPaths(parseYaml(r.ingress.secretFiles[FILE_NAMES.ingress]))) expect(INGRESS_KEYS[series]).toContain(p);
  }
  if (r.turn) {
    const body = r.turn.publicFiles[FILE_NAMES.turn] + r.turn.secretFiles[FILE_NAMES.turnAuth];
    for (const d of directives(body, /=/)) {
      expect(COTURN_OPTIONS.has(d)).toBe(true);
      expect(COTURN_FORBIDDEN).not.toContain(d);
    }
  }
  const valkey = r.valkey;
  if (valkey) {
    for (const d of directives(valkey.publicFiles[FILE_NAMES.valkey] + valkey.secretFiles[FILE_NAMES.valkeyAuth], / /))
      expect(VALKEY_DIRECTIVES).toContain(d);
    const sentinel = valkey.publicFiles[FILE_NAMES.sentinel];
    if (sentinel)
      for (const d of directives(sentinel + valkey.secretFiles[FILE_NAMES.sentinelAuth], / /)) expect(SENTINEL_DIRECTIVES).toContain(d);
  }
  if (r.mediamtx) {
    const doc = parseYaml(r.mediamtx.secretFiles[FILE_NAMES.mediamtx]) as Record<string, unknown>;
    for (const [k, v] of Object.entries(doc)) {
      if (MEDIAMTX_TOP_SECTIONS.has(k)) continue;
      expect(MEDIAMTX_GLOBAL_KEYS).toContain(k);
      if (k === "authInternalUsers")
        for (const u of v as Record<string, unknown>[]) for (const uk of Object.keys(u)) expect(MEDIAMTX_USER_KEYS).toContain(uk);
    }
    for (const p of Object.values(doc.paths as Record<string, Record<string, unknown>>))
      for (const k of Object.keys(p)) expect(MEDIAMTX_PATH_KEYS).toContain(k);
    for (const k of Object.keys(doc.pathDefaults as Record<string, unknown>)) expect(MEDIAMTX_PATH_KEYS).toContain(k);
  }
}

export function assertNoSecretInPublicFiles(cfg: StackConfig): void {
  const r = renderStack(cfg, TEST_SECRETS);
  const publicText = Object.values(r)
    .flatMap((s) => (s ? Object.values(s.publicFiles) : []))
    .join("\n");
  for (const secret of secretValues(TEST_SECRETS)) expect(publicText).not.toContain(secret);
  expect(publicText).not.toContain(TEST_SECRETS.apiKeys[0].key);
}
