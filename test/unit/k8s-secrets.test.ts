import { SERVICE_NAMES } from "../../schema";
import { k8sSecrets, LABEL, mediamtxPartNames, METRICS_AUTH_SECRET, renderStack, secretGroups } from "../../templates";
import { minimal, parse, stackFromFile, TEST_SECRETS } from "../helpers/fixtures";

/** Enough cameras that MediaMTX's Secret-held body needs more than one part. */
const city = parse(
  minimal("kubernetes", {
    sfu: { ports: { udpMode: "single" } },
    cameras: Array.from({ length: 4000 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      rtsp: `rtsp://10.50.${Math.floor(i / 250)}.${(i % 250) + 1}:554/stream`,
    })),
  }),
);

describe("the Secrets of the Kubernetes target", () => {
  // Built inside each test, so per-test coverage (npm run mutate) sees which test reads what.
  const secrets = () => k8sSecrets(stackFromFile("prod"), TEST_SECRETS);

  it("are immutable Opaque Secrets in the stack's namespace: a change replaces them, nothing edits them in place", () => {
    expect(secrets().length).toBeGreaterThan(3);
    for (const s of secrets()) {
      expect(s.kind).toBe("Secret");
      expect(s.type).toBe("Opaque");
      expect(s.immutable).toBe(true);
      expect(s.metadata?.namespace).toBe(stackFromFile("prod").kubernetes.namespace);
    }
  });

  it("each service's Secret carries its name (offline: <service>-secret), one per service", () => {
    const names = secrets().map((s) => s.metadata?.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(`${SERVICE_NAMES.sfu}-secret`);
    expect(names).toContain(`${SERVICE_NAMES.turn}-secret`);
  });

  it("each Secret is labelled with the component that reads it (the metrics password: the SFU's)", () => {
    const component = (name: string) => secrets().find((s) => s.metadata?.name === name)?.metadata?.labels?.[LABEL.component];
    expect(component(METRICS_AUTH_SECRET)).toBe("sfu");
    expect(component(`${SERVICE_NAMES.sfu}-secret`)).toBe("sfu");
    expect(component(`${SERVICE_NAMES.turn}-secret`)).toBe("turn");
    expect(component(`${SERVICE_NAMES.mediamtx}-secret`)).toBe("mediamtx");
  });

  it("MediaMTX's body in parts: one Secret per part, named <name>, <name>-1, …, each holding its own part", () => {
    const parts = mediamtxPartNames(city);
    expect(parts.length).toBeGreaterThan(1);
    const all = k8sSecrets(city, TEST_SECRETS);
    const base = `${SERVICE_NAMES.mediamtx}-secret`;
    const mediamtx = all.filter((s) => s.metadata?.name?.startsWith(base));
    expect(mediamtx.map((s) => s.metadata?.name)).toEqual(parts.map((_, i) => (i === 0 ? base : `${base}-${i}`)));
    mediamtx.forEach((s, i) => expect(Object.keys(s.stringData ?? {})).toContain(parts[i]));
    // Every other Secret is still one per service, under its own name.
    const names = all.map((s) => s.metadata?.name);
    expect(names.every((n) => typeof n === "string" && n !== "")).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("secretGroups: MediaMTX's body in parts", () => {
  it("with several parts, a service env goes into the first part's Secret only", () => {
    const r = renderStack(city, TEST_SECRETS).mediamtx;
    if (!r) throw new Error("the city stack runs MediaMTX");
    const groups = secretGroups(city, "mediamtx", { ...r, secretEnv: { M_ENV: "v" } });
    expect(groups.length).toBeGreaterThan(1);
    expect(groups[0].M_ENV).toBe("v");
    for (const g of groups.slice(1)) expect(Object.keys(g)).toEqual([expect.stringMatching(/^mediamtx-\d{3}\.yml$/)]);
  });
});
