import { camerasPerIngress, ConfigError, ingressCoresFor, INGRESS_MIN_IDLE_RATIO, parseStackConfig } from "../../schema";
import { renderStack } from "../../templates";
import { configProblemsOf, minimal, stackFromFile, TEST_SECRETS } from "../helpers/fixtures";
import { parse as parseYaml } from "yaml";

const cameras = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    rtsp: `rtsp://10.9.0.${i + 1}:554/s`,
  }));

describe("LiveKit Ingress admission (idle − 30 % of its cores must exceed the cost)", () => {
  it("admits the k-th camera only while (1 − ratio)·cpus − (k − 1)·cost > cost", () => {
    expect(INGRESS_MIN_IDLE_RATIO).toBe(0.3);
    // 2 cores at cost 2: 1.4 available, never above 2. The stack as shipped before this check.
    expect(camerasPerIngress(2, 2)).toBe(0);
    expect(camerasPerIngress(2, 1)).toBe(1); // 1.4 > 1, then 0.4 < 1
    expect(camerasPerIngress(6, 2)).toBe(2); // 4.2 > 2, 2.2 > 2, 0.2
    expect(camerasPerIngress(16, 2)).toBe(5); // 11.2: 5 cameras, the 6th would see 1.2
    expect(camerasPerIngress(4, 2)).toBe(1); // 2.8 > 2, then 0.8
  });
  it("the cores for k cameras are the fewest that admit k", () => {
    for (const cost of [1, 1.5, 2, 3])
      for (let k = 1; k <= 8; k++) {
        const cores = ingressCoresFor(k, cost);
        expect([k, cost, camerasPerIngress(cores, cost) >= k]).toEqual([k, cost, true]);
        expect([k, cost, camerasPerIngress(cores - 1, cost) < k]).toEqual([k, cost, true]);
      }
  });
  it("refuses explicit Ingress resources that admit no camera, naming the path and both fixes", () => {
    const input = minimal("docker", {
      cameras: cameras(2),
      ingress: { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } } },
    });
    expect(() => parseStackConfig(input)).toThrow(ConfigError);
    expect(() => parseStackConfig(input)).toThrow(
      /lkstack:ingress\.resources\.limits\.cpu: each Ingress replica must take 2 of the 2 transcoded camera\(s\), but at 2 core\(s\) it admits no camera[\s\S]*fix: set lkstack:ingress\.resources\.limits\.cpu to at least 6/,
    );
  });
  it("offers more replicas when a replica admits some but not its share", () => {
    const input = minimal("kubernetes", {
      cameras: cameras(5),
      ingress: { replicas: 1, resources: { requests: { cpu: "6", memory: "2Gi" }, limits: { cpu: "6", memory: "2Gi" } } },
    });
    expect(() => parseStackConfig(input)).toThrow(/admits 2 camera\(s\)[\s\S]*or lkstack:ingress\.replicas to 3/);
  });
  it("says why in full: the idle share the Ingress keeps, the cost it counts, and the measured fixes", () => {
    const problemsOf = (input: Parameters<typeof parseStackConfig>[0]) => configProblemsOf(() => parseStackConfig(input));

    const why = "it accepts a stream only while idle CPU minus 30% of its cores exceeds rtmpCpuCost (2)";
    const measured = " (rtmpCpuCost is the cores one camera's re-encode takes: lower it only after measuring)";
    const limits = (cpu: string) => ({ requests: { cpu, memory: "1Gi" }, limits: { cpu, memory: "2Gi" } });
    expect(problemsOf(minimal("docker", { cameras: cameras(2), ingress: { resources: limits("2") } }))).toEqual([
      {
        path: ["ingress", "resources", "limits", "cpu"],
        problem: `each Ingress replica must take 2 of the 2 transcoded camera(s), but at 2 core(s) it admits no camera: ${why}`,
        fix: `set lkstack:ingress.resources.limits.cpu to at least 6${measured}`,
      },
    ]);
    expect(problemsOf(minimal("kubernetes", { cameras: cameras(5), ingress: { replicas: 1, resources: limits("6") } }))).toEqual([
      {
        path: ["ingress", "resources", "limits", "cpu"],
        problem: `each Ingress replica must take 5 of the 5 transcoded camera(s), but at 6 core(s) it admits 2 camera(s): ${why}`,
        fix: `set lkstack:ingress.resources.limits.cpu to at least 15, or lkstack:ingress.replicas to 3${measured}`,
      },
    ]);
  });
  it("sizes unset resources so each replica admits its share, CPU requests equal to limits", () => {
    const dev = stackFromFile("dev");
    // Its one transcoded camera (the other is passthrough): 3 cores, where 2 would admit none.
    expect(dev.ingress.resources).toEqual({ requests: { cpu: "3", memory: "2Gi" }, limits: { cpu: "3", memory: "2Gi" } });
    const big = parseStackConfig(minimal("kubernetes", { cameras: cameras(10), ingress: { replicas: 2 } }));
    expect(big.ingress.resources.limits.cpu).toBe(String(ingressCoresFor(5, 2)));
    expect(camerasPerIngress(Number(big.ingress.resources.limits.cpu), 2)).toBeGreaterThanOrEqual(5);
    // Memory: 512 MiB plus 512 MiB per camera of the share, in 256 MiB steps, never under 2 GiB.
    expect(big.ingress.resources.limits.memory).toBe("3Gi");
    const four = parseStackConfig(minimal("kubernetes", { cameras: cameras(8), ingress: { replicas: 2 } }));
    expect(four.ingress.resources.requests.memory).toBe("2560Mi");
    // Without cameras, the seed's 1-2 cores and 1-2 GB stand.
    expect(parseStackConfig(minimal("docker")).ingress.resources).toEqual({
      requests: { cpu: "1", memory: "1Gi" },
      limits: { cpu: "2", memory: "2Gi" },
    });
  });

  it("with the Ingress off, transcoded cameras are refused once, for that, not for its size", () => {
    const one = { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } };
    const off = minimal("kubernetes", { cameras: cameras(10), ingress: { enabled: false, resources: one } });
    expect(configProblemsOf(() => parseStackConfig(off)).map((p) => p.path.join("."))).toEqual(["ingress.enabled"]);
  });
  it("the rendered Ingress config carries the same cost and idle ratio the check used", () => {
    const body = parseYaml(renderStack(stackFromFile("prod"), TEST_SECRETS).ingress?.publicFiles["livekit-ingress.yaml"] ?? "");
    expect(body.cpu_cost).toEqual({ rtmp_cpu_cost: 2, min_idle_ratio: INGRESS_MIN_IDLE_RATIO });
  });
});
