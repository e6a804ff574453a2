import { CAPACITY_MODEL, DEFAULTS, INGEST_MODEL, planIngest } from "../../schema";

// What the camera path costs per ingest mode (schema/ingestCapacity.ts), the figures `lkstack
// capacity` prints side by side: worked by hand from the per-camera figures for 10 cameras whose
// main stream is 4,000 kbps and sub stream 500 kbps, with the stack's layers at 3,000/1,200/400.

const RATES = { high: 3000, medium: 1200, low: 400 };
const STREAMS = [4000, 500];
const close = (actual: number, expected: number) => expect(actual).toBeCloseTo(expected, 9);

describe("the camera path's cost", () => {
  it("transcode: pulls the main stream, publishes the stack's three layers, one MediaMTX stream a camera", () => {
    const p = planIngest("transcode", 10, RATES, STREAMS);
    expect([p.mode, p.cameras]).toEqual(["transcode", 10]);
    close(p.cameraGbps, (10 * 4000) / 1e6);
    close(p.sfuIngestGbps, (10 * (3000 + 1200 + 400)) / 1e6);
    close(p.cores, 10 * (CAPACITY_MODEL.ingressCoresPerCamera + INGEST_MODEL.mediamtxCoresPerStream));
    close(p.memoryMiB, 10 * (DEFAULTS.ingressMemoryPerCameraMiB + INGEST_MODEL.mediamtxMemoryPerStreamMiB));
  });

  it("passthrough: pulls and publishes every stream of the camera, one MediaMTX stream each", () => {
    const p = planIngest("passthrough", 10, RATES, STREAMS);
    expect([p.mode, p.cameras]).toEqual(["passthrough", 10]);
    close(p.cameraGbps, (10 * 4500) / 1e6);
    close(p.sfuIngestGbps, (10 * 4500) / 1e6);
    close(p.cores, 10 * (DEFAULTS.publisherPerCamera.cpu + 2 * INGEST_MODEL.mediamtxCoresPerStream));
    close(p.memoryMiB, 10 * (DEFAULTS.publisherPerCamera.memoryMiB + 2 * INGEST_MODEL.mediamtxMemoryPerStreamMiB));
  });

  it("the per-camera figures it rests on are positive, and passthrough relays for less than a re-encode", () => {
    expect(DEFAULTS.publisherPerCamera.cpu).toBeGreaterThan(0);
    expect(DEFAULTS.publisherPerCamera.cpu).toBeLessThan(CAPACITY_MODEL.ingressCoresPerCamera);
    expect(INGEST_MODEL.mediamtxCoresPerStream).toBeGreaterThan(0);
    expect(INGEST_MODEL.mediamtxMemoryPerStreamMiB).toBeGreaterThan(0);
  });
});
