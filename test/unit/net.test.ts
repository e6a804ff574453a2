import fc from "fast-check";
import { cidrContains, cidrToRange, exactCidrs, formatIp, parseCidr, parseIp } from "../../schema";

function assertNever(what: string): never {
  throw new Error(`${what} does not parse`);
}

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

  // IPv6 shapes: an IPv4 tail only last, a bad tail, seven groups without "::", eight groups with it,
  // groups that are not 1-4 hex digits, a third colon, a zone id, a blank.
  it.each([
    "::1.2.3.4:5",
    "::1.2.3",
    "1:2:3:4:5:6:7",
    "1::2:3:4:5:6:7:8",
    "1::g",
    "1::12345",
    "1::x1",
    "g::1",
    ":::1",
    "1:::2",
    "fe80::1%eth0",
    " ::1",
    "abc",
    "",
  ])("%j is not an IP address", (bad) => {
    expect(parseIp(bad)).toBeUndefined();
  });

  it('IPv6 groups fill around the one "::", an IPv4 tail as the last two', () => {
    expect(parseIp("::ffff:10.0.0.1")).toEqual({ family: 6, value: (0xffffn << 32n) | 0x0a000001n });
    expect(parseIp("1::")).toEqual({ family: 6, value: 1n << 112n });
    expect(parseIp("1:2:3:4:5:6:7:8")?.value).toBe(0x00010002000300040005000600070008n);
  });

  it.each(["10.0.0.0/8.0", "10.0.0.0/1e1", "10.0.0.0/0x8", "10.0.0.0/+8", "10.0.0.0/-1", "10.0.0.0/", "::/129", "10.0.0.0/33"])(
    "%s: a prefix is 0 to the address's bits in plain digits",
    (bad) => {
      expect(parseCidr(bad)).toBeUndefined();
    },
  );

  it('IPv6 is written as servers print it: the longest run of two or more zero groups as "::", the first of equals', () => {
    const v6 = (text: string) => formatIp(6, parseIp(text)?.value ?? -1n);
    expect(v6("1:0:0:2:0:0:0:3")).toBe("1:0:0:2::3");
    expect(v6("1:0:0:2:3:0:0:4")).toBe("1::2:3:0:0:4");
    expect(v6("1:0:2:3:4:5:6:7")).toBe("1:0:2:3:4:5:6:7");
    expect([v6("::"), v6("1::"), v6("::1"), v6("0:0:1::")]).toEqual(["::", "1::", "::1", "0:0:1::"]);
  });

  it("a CIDR contains another only of its own family", () => {
    const c = (t: string) => parseCidr(t) ?? assertNever(t);
    expect(cidrContains(c("0.0.0.0/0"), c("::1"))).toBe(false);
    expect(cidrContains(c("::/0"), c("0.0.0.1"))).toBe(false);
    expect(cidrContains(c("10.0.0.0/8"), c("10.1.0.0/16"))).toBe(true);
  });

  it("cidrToRange names what it cannot read", () => {
    expect(() => cidrToRange("10.0.0.0/33")).toThrow("not a CIDR: 10.0.0.0/33");
  });

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

describe("exact CIDRs for a set of addresses (camera egress)", () => {
  it.each([
    ["an aligned run of four", ["10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7"], ["10.0.0.4/30"]],
    ["an unaligned run", ["10.0.0.3", "10.0.0.4", "10.0.0.5"], ["10.0.0.3/32", "10.0.0.4/31"]],
    ["apart, repeated, unsorted", ["10.0.0.9", "10.0.0.1", "10.0.0.9"], ["10.0.0.1/32", "10.0.0.9/32"]],
    ["both families", ["2001:db8::1", "10.0.0.1", "2001:db8::"], ["10.0.0.1/32", "2001:db8::/127"]],
    ["a whole /24", Array.from({ length: 256 }, (_, i) => `192.168.7.${i}`), ["192.168.7.0/24"]],
    [
      "a camera VLAN, .1 to .250",
      Array.from({ length: 250 }, (_, i) => `10.1.0.${i + 1}`),
      [
        "10.1.0.1/32",
        "10.1.0.2/31",
        "10.1.0.4/30",
        "10.1.0.8/29",
        "10.1.0.16/28",
        "10.1.0.32/27",
        "10.1.0.64/26",
        "10.1.0.128/26",
        "10.1.0.192/27",
        "10.1.0.224/28",
        "10.1.0.240/29",
        "10.1.0.248/31",
        "10.1.0.250/32",
      ],
    ],
    ["nothing", [], []],
  ] as [string, string[], string[]][])("%s", (_label, addresses, cidrs) => expect(exactCidrs(addresses)).toEqual(cidrs));

  it("refuses a name", () => expect(() => exactCidrs(["10.0.0.1", "camera.local"])).toThrow("not an IP address: camera.local"));

  it("covers exactly the addresses given, with no two blocks that could be one", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 4095 }), { maxLength: 300 }), (offsets) => {
        const base = 10n << 24n;
        const cidrs = exactCidrs(offsets.map((o) => formatIp(4, base + BigInt(o)))).map((c) => parseCidr(c));
        const covered = new Set<bigint>();
        for (const c of cidrs) {
          if (!c) return false;
          for (let v = c.first; v <= c.last; v++) covered.add(v - base);
        }
        const given = new Set(offsets.map(BigInt));
        if (covered.size !== given.size || [...given].some((v) => !covered.has(v))) return false;
        // Minimal: two adjacent blocks of one size that together form an aligned block would be one.
        return cidrs.every((a, i) => {
          const b = cidrs[i + 1];
          if (!a || !b || a.prefix !== b.prefix || a.last + 1n !== b.first) return true;
          return a.first % ((a.last - a.first + 1n) * 2n) !== 0n;
        });
      }),
    );
  });
});
