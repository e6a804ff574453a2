import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PROJECT_DIR } from "../helpers/fixtures";

test("the README's generated blocks (bench tables, servers per conformance suite) match their sources", () => {
  const r = spawnSync(process.execPath, [join(PROJECT_DIR, "scripts", "readme-sections.mjs"), "--check"], {
    encoding: "utf8",
    timeout: 30000,
  });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
});
