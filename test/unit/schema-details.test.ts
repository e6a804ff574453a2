import { CONTAINER_LAYOUT, cameraOrigin, cameraStreamUrl, layoutUnder } from "../../schema";

// Details of schema/ that the stack tests reach only in passing.

describe("the file layout rooted elsewhere (conformance tests and `lkstack render` use it)", () => {
  it("every path of every service moves under the directory, a trailing slash or not", () => {
    for (const dir of ["/tmp/lk", "/tmp/lk/"]) {
      const moved = layoutUnder(dir);
      expect(Object.keys(moved).sort()).toEqual(Object.keys(CONTAINER_LAYOUT).sort());
      for (const [service, paths] of Object.entries(CONTAINER_LAYOUT))
        expect(moved[service as keyof typeof CONTAINER_LAYOUT]).toEqual(
          Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, `/tmp/lk${String(p)}`])),
        );
    }
  });
});

describe("a camera's address and its streams' URLs", () => {
  it("the address is the scheme, host and port, without path, query or fragment", () => {
    expect(cameraOrigin("rtsp://10.0.0.1:554")).toBe("rtsp://10.0.0.1:554");
    expect(cameraOrigin("rtsp://10.0.0.1:554/Streaming/Channels/101")).toBe("rtsp://10.0.0.1:554");
    expect(cameraOrigin("rtsp://cam.example.org?profile=1")).toBe("rtsp://cam.example.org");
    expect(cameraOrigin("rtsps://[2001:db8::7]:322/a")).toBe("rtsps://[2001:db8::7]:322");
  });

  it("a stream's URL is the camera's address with the stream's own path", () => {
    expect(cameraStreamUrl("rtsp://10.0.0.1:554/main", "/Streaming/Channels/102")).toBe("rtsp://10.0.0.1:554/Streaming/Channels/102");
  });
});
