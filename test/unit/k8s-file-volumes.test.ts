import { fileVolumes } from "../../templates";

// fileVolumes (templates/k8s/common.ts) on its own: which files a pod gets, and which volumes. The
// stack's callers always pass files that all have a path, so these edges are only reachable here;
// an empty `items` list on a Secret volume would project every key of the Secret, so "no secret
// file" must mean "no Secret volume".
const PATHS = { "livekit.yaml": "/etc/livekit/livekit.yaml", keys: "/etc/livekit/keys.yaml" };

describe("fileVolumes: the pod's file volumes and mounts", () => {
  it("mounts each public file from the ConfigMap and each secret file from the Secret (0440), at its path by subPath", () => {
    expect(fileVolumes("sfu-config-abc", { "livekit.yaml": "x" }, "sfu-secret", { keys: "k" }, PATHS)).toEqual({
      volumes: [
        { name: "config", configMap: { name: "sfu-config-abc" } },
        { name: "secret", secret: { secretName: "sfu-secret", defaultMode: 0o440, items: [{ key: "keys", path: "keys" }] } },
      ],
      mounts: [
        { name: "config", mountPath: "/etc/livekit/livekit.yaml", subPath: "livekit.yaml", readOnly: true },
        { name: "secret", mountPath: "/etc/livekit/keys.yaml", subPath: "keys", readOnly: true },
      ],
    });
  });

  it("leaves out a file that has no path, and a volume none of whose files has one", () => {
    const r = fileVolumes("sfu-config-abc", { "livekit.yaml": "x", "notes.txt": "n" }, "sfu-secret", { "other.key": "k" }, PATHS);
    expect(r.volumes).toEqual([{ name: "config", configMap: { name: "sfu-config-abc" } }]);
    expect(r.mounts.map((m) => m.subPath)).toEqual(["livekit.yaml"]);
  });

  it("has no Secret volume without a secret file (an empty items list would project every key)", () => {
    const r = fileVolumes("sfu-config-abc", { "livekit.yaml": "x" }, "sfu-secret", {}, PATHS);
    expect(r.volumes.map((v) => v.name)).toEqual(["config"]);
    expect(r.mounts.map((m) => m.name)).toEqual(["config"]);
  });

  it("has no ConfigMap volume without a ConfigMap name, nor one with no public file", () => {
    expect(fileVolumes(undefined, { "livekit.yaml": "x" }, "sfu-secret", { keys: "k" }, PATHS).volumes.map((v) => v.name)).toEqual([
      "secret",
    ]);
    const empty = fileVolumes("sfu-config-abc", {}, "sfu-secret", { keys: "k" }, PATHS);
    expect(empty.volumes.map((v) => v.name)).toEqual(["secret"]);
    expect(empty.mounts.map((m) => m.name)).toEqual(["secret"]);
  });
});
