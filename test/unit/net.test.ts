import fc from "fast-check";
import { cidrToRange, formatIp, parseCidr, parseIp } from "../../schema";

describe("CIDR to coturn ranges", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0-10.255.255.255"],
    ["172.16.0.0/12", "172.16.0.0-172.31.255.255"],
    ["10.20.0.5/32", "10.20.0.5"],
    ["10.20.0.5", "10.20.0.5"],
    ["10.20.0.77/24", "10.20.0.0-10.20.0.255"],
    ["fc00::/7", "fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    ["::1/128", "::1"],
    ["2001:db8::/32", "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"],
  ])("%s → %s", (cidr, range) => expect(cidrToRange(cidr)).toBe(range));

  it.each(["10.0.0.0/33", "10.0.0/8", "300.1.1.1/8", "10.0.0.0/8/1", "::1::2/64", "abc", "10.0.0.01/8", "1.2.3.4/ 8"])(
    "rejects %s",
    (bad) => expect(parseCidr(bad)).toBeUndefined(),
  );

  it("every IPv4 CIDR maps to the block that contains its address", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
        const c = parseCidr(`${ip}/${prefix}`);
        const addr = parseIp(ip);
        if (!c || !addr) return false;
        const size = 1n << BigInt(32 - prefix);
        return c.first <= addr.value && addr.value <= c.last && c.last - c.first + 1n === size && c.first % size === 0n;
      }),
    );
  });

  it("IPv6 addresses survive a parse/format round trip", () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const p = parseIp(ip);
        if (!p) return false;
        const again = parseIp(formatIp(6, p.value));
        return again !== undefined && again.value === p.value;
      }),
    );
  });
});
