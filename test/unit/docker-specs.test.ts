import { CONTAINER_LAYOUT, parseCpu } from "../../schema";
import { dockerServices } from "../../templates";
import { stackFromFile } from "../helpers/fixtures";

describe("Docker target: what each container gets", () => {
  const cfg = stackFromFile("dev");
  const specs = dockerServices(cfg, "/* reconciler */");
  const byName = (name: string) => {
    const s = specs.find((x) => x.name === name);
    if (!s) throw new Error(`no ${name} in the dev stack`);
    return s;
  };

  it("each container's CPU limit is its configured limit, not a default", () => {
    const limit = (r: { limits: { cpu: string | number } }) => String(parseCpu(r.limits.cpu));
    expect(byName("lkstack-sfu").cpus).toBe(limit(cfg.sfu.resources));
    expect(byName("lkstack-ingress").cpus).toBe(limit(cfg.ingress.resources));
    expect(byName("lkstack-mediamtx").cpus).toBe(limit(cfg.mediamtx.resources));
    expect(byName("lkstack-valkey").cpus).toBe(limit(cfg.valkey.resources));
    // Different limits, so a constant would not pass.
    expect(new Set(specs.map((s) => s.cpus)).size).toBeGreaterThan(2);
  });

  it("servers that read a public config get it at the layout's path; secret parts are marked secret", () => {
    expect(byName("lkstack-sfu").files).toEqual([
      { name: "livekit.yaml", path: CONTAINER_LAYOUT.sfu.config, secret: false },
      { name: "keys.yaml", path: CONTAINER_LAYOUT.sfu.keyFile, secret: true },
      { name: "turn-secret", path: CONTAINER_LAYOUT.sfu.turnSecretFile, secret: true },
    ]);
    expect(byName("lkstack-valkey").files).toEqual([
      { name: "valkey.conf", path: CONTAINER_LAYOUT.valkey.config, secret: false },
      { name: "valkey-auth.conf", path: CONTAINER_LAYOUT.valkey.authInclude, secret: true },
    ]);
    expect(byName("lkstack-cameras").files.map((f) => [f.name, f.secret])).toEqual([
      ["cameras-000.json", false],
      ["reconciler.js", false],
    ]);
  });

  it("the Ingress and MediaMTX run from their Secret-held body alone: no public copy is mounted", () => {
    expect(byName("lkstack-ingress").files).toEqual([
      { name: "livekit-ingress.yaml", path: CONTAINER_LAYOUT.ingress.config, secret: true },
    ]);
    expect(byName("lkstack-mediamtx").files.every((f) => f.secret)).toBe(true);
    expect(byName("lkstack-mediamtx").files.map((f) => f.name)).toEqual(["mediamtx-000.yml"]);
  });
});
