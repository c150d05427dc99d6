import dns from "node:dns";
import net from "node:net";
import { type ClusterServerUrl, parseClusterServerUrl } from "@/common/cluster-url";
import { serverEnv } from "@/server/env";
import { ClusterDriverError } from "./errors";

/**
 * Where the console may connect for a cluster (SSRF guard). A registrant
 * chooses the API server URL, so without a rule the console would send its
 * requests (and the registrant's credentials) to its own loopback, the
 * cluster network or the cloud metadata service. Rule: resolve the host,
 * refuse every non-public address unless the admin's allow-list
 * (`NEMO_CLUSTER_ALLOWED_HOSTS`) names the host or a range holding the
 * address, then connect to that resolved address (pinned), so a second DNS
 * answer cannot switch it (rebinding). TLS still verifies the host name.
 */

export type AddressClass =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "shared"
  | "link-local"
  | "metadata"
  | "unique-local"
  | "multicast"
  | "reserved";

export interface NetworkPolicy {
  /** `http://` API servers (no TLS): only when an admin says so. */
  allowHttp: boolean;
  /** `sim://` clusters: the quick start, tests and benchmarks only. */
  allowSimulated: boolean;
  allowedHosts: AllowList;
}

interface Range {
  bytes: number[];
  prefix: number;
}

export interface AllowList {
  names: ReadonlySet<string>;
  ranges: readonly Range[];
}

export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

function ipv4Bytes(text: string): number[] | null {
  if (!net.isIPv4(text)) return null;
  return text.split(".").map(Number);
}

/** The 16 bytes of an IPv6 address in any textual form (compressed, with an IPv4 tail, with a zone). */
function ipv6Bytes(text: string): number[] | null {
  const address = text.replace(/%.*$/, "");
  if (!net.isIPv6(address)) return null;
  let groups = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted?.[1]) {
    const v4 = ipv4Bytes(dotted[1]);
    if (!v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    groups = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = groups.split("::");
  const headParts = head === "" ? [] : head.split(":");
  const tailParts = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - headParts.length - tailParts.length;
  const hextets = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...tailParts];
  if (hextets.length !== 8) return null;
  return hextets.flatMap((hextet) => {
    const value = parseInt(hextet, 16);
    return [value >> 8, value & 0xff];
  });
}

/** An address as 4 bytes (IPv4, and IPv4-mapped IPv6) or 16 bytes; null when it is not an IP address. */
export function addressBytes(text: string): number[] | null {
  const v4 = ipv4Bytes(text);
  if (v4) return v4;
  const v6 = ipv6Bytes(text);
  if (!v6) return null;
  // ::ffff:a.b.c.d is the IPv4 address a.b.c.d on the wire.
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

function inRange(bytes: readonly number[], range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  for (let bit = 0; bit < range.prefix; bit++) {
    const index = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[index] ?? 0) & mask) !== ((range.bytes[index] ?? 0) & mask)) return false;
  }
  return true;
}

function range(cidr: string): Range {
  const [address = "", prefix = ""] = cidr.split("/");
  const bytes = ipv4Bytes(address) ?? ipv6Bytes(address);
  if (!bytes) throw new Error(`not an address range: ${cidr}`);
  return { bytes, prefix: Number(prefix) };
}

const IPV4_CLASSES: ReadonlyArray<[Range, AddressClass]> = [
  [range("169.254.169.254/32"), "metadata"],
  [range("0.0.0.0/8"), "unspecified"],
  [range("127.0.0.0/8"), "loopback"],
  [range("10.0.0.0/8"), "private"],
  [range("172.16.0.0/12"), "private"],
  [range("192.168.0.0/16"), "private"],
  [range("100.64.0.0/10"), "shared"],
  [range("169.254.0.0/16"), "link-local"],
  [range("192.0.0.0/24"), "reserved"],
  [range("198.18.0.0/15"), "reserved"],
  [range("224.0.0.0/4"), "multicast"],
  [range("240.0.0.0/4"), "reserved"],
];

const IPV6_CLASSES: ReadonlyArray<[Range, AddressClass]> = [
  [range("fd00:ec2::254/128"), "metadata"],
  [range("::/128"), "unspecified"],
  [range("::1/128"), "loopback"],
  [range("fc00::/7"), "unique-local"],
  [range("fe80::/10"), "link-local"],
  [range("fec0::/10"), "private"],
  [range("ff00::/8"), "multicast"],
  // Deprecated IPv4-compatible addresses and discard-only: never an API server.
  [range("::/96"), "reserved"],
  [range("100::/64"), "reserved"],
];

/** Prefixes that carry an IPv4 address inside (NAT64, 6to4): judged by that address. */
function embeddedIpv4(bytes: readonly number[]): number[] | null {
  if (inRange(bytes, range("64:ff9b::/96"))) return bytes.slice(12);
  if (inRange(bytes, range("2002::/16"))) return bytes.slice(2, 6);
  return null;
}

/** What kind of address this is; throws for text that is not an IP address. */
export function classifyAddress(text: string): AddressClass {
  const bytes = addressBytes(text);
  if (!bytes) throw new Error(`not an IP address: ${text}`);
  const classify = (b: readonly number[]): AddressClass => {
    const table = b.length === 4 ? IPV4_CLASSES : IPV6_CLASSES;
    const found = table.find(([r]) => inRange(b, r));
    if (found) return found[1];
    const inner = b.length === 16 ? embeddedIpv4(b) : null;
    return inner ? classify(inner) : "public";
  };
  return classify(bytes);
}

/** `NEMO_CLUSTER_ALLOWED_HOSTS`: comma-separated host names, addresses and CIDR ranges. */
export function parseAllowList(text: string): AllowList {
  const names = new Set<string>();
  const ranges: Range[] = [];
  for (const raw of text.split(",")) {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^\[|\]$/g, "");
    if (entry === "") continue;
    const [address = "", prefix] = entry.split("/");
    const bytes = addressBytes(address);
    if (bytes) {
      const full = bytes.length * 8;
      // A prefix written for the IPv6 form of a mapped address counts in IPv4 bits.
      const offset = bytes.length === 4 && net.isIPv6(address) ? 96 : 0;
      const bits = prefix === undefined ? full : Number(prefix) - offset;
      if (!Number.isInteger(bits) || bits < 0 || bits > full)
        throw new Error(`NEMO_CLUSTER_ALLOWED_HOSTS: bad prefix in ${raw.trim()}`);
      ranges.push({ bytes, prefix: bits });
    } else if (prefix === undefined && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\.?$/.test(entry)) {
      names.add(entry.replace(/\.$/, ""));
    } else throw new Error(`NEMO_CLUSTER_ALLOWED_HOSTS: not a host, address or CIDR: ${raw.trim()}`);
  }
  return { names, ranges };
}

/** The policy from the environment (`src/server/env.ts`). */
export function networkPolicyFromEnv(): NetworkPolicy {
  const env = serverEnv();
  return {
    allowHttp: env.NEMO_CLUSTER_ALLOW_HTTP,
    allowSimulated: env.NEMO_ALLOW_SIMULATED,
    allowedHosts: parseAllowList(env.NEMO_CLUSTER_ALLOWED_HOSTS),
  };
}

export function isHostNameAllowed(hostname: string, allowList: AllowList): boolean {
  return allowList.names.has(hostname.toLowerCase().replace(/\.$/, ""));
}

export function isAddressAllowed(address: string, allowList: AllowList): boolean {
  const bytes = addressBytes(address);
  if (!bytes) return false;
  if (classifyAddress(address) === "public") return true;
  return allowList.ranges.some((r) => inRange(bytes, r));
}

/**
 * The problem with a cluster server URL under this policy (form, scheme,
 * simulated clusters), for a field error or an INVALID_CONFIG; null when
 * fine. With `addresses`, an internal address written as the host is a
 * problem too (registration says so at once); host names are checked when
 * the driver connects (`pinAddress`), which asks DNS.
 */
export function serverUrlProblem(
  value: string,
  policy: NetworkPolicy,
  options: { addresses?: boolean } = {},
): string | null {
  const parsed: ClusterServerUrl | { problem: string } = parseClusterServerUrl(value);
  if ("problem" in parsed) return parsed.problem;
  if (parsed.kind === "simulated")
    return policy.allowSimulated
      ? null
      : "names a simulated cluster (sim://), which this console does not allow (NEMO_ALLOW_SIMULATED=1 allows it)";
  if (parsed.scheme === "http" && !policy.allowHttp)
    return "must use https:// (NEMO_CLUSTER_ALLOW_HTTP=1 allows http://)";
  const { hostname } = parsed;
  if (options.addresses && addressBytes(hostname) && !isAddressAllowed(hostname, policy.allowedHosts))
    return `points at a ${classifyAddress(hostname)} address, which clusters may not use unless NEMO_CLUSTER_ALLOWED_HOSTS names it`;
  return null;
}

const systemLookup: Lookup = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * Resolves the API server's host and checks every address it has: one
 * internal address refuses the host (the connection could land on any of
 * them). Returns the address to connect to. A host the allow-list names is
 * trusted whatever it resolves to.
 */
export async function pinAddress(
  hostname: string,
  policy: NetworkPolicy,
  cluster: string,
  lookup: Lookup = systemLookup,
): Promise<PinnedAddress> {
  const refuse = (address: string) =>
    new ClusterDriverError(
      "INVALID_CONFIG",
      `cluster ${cluster}: the API server host ${hostname} has a ${classifyAddress(address)} address (${address}), ` +
        "which clusters may not use unless NEMO_CLUSTER_ALLOWED_HOSTS names it",
      { cluster },
    );
  const trustedName = isHostNameAllowed(hostname, policy.allowedHosts);
  if (addressBytes(hostname)) {
    if (!trustedName && !isAddressAllowed(hostname, policy.allowedHosts)) throw refuse(hostname);
    return { address: hostname, family: net.isIPv6(hostname) ? 6 : 4 };
  }
  let answers: Array<{ address: string; family: number }>;
  try {
    answers = await lookup(hostname);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ClusterDriverError(
      "UNREACHABLE",
      `cluster ${cluster}: the API server host ${hostname} does not resolve${typeof code === "string" && /^[A-Z_]{1,32}$/.test(code) ? ` (${code})` : ""}`,
      { cluster, cause: error },
    );
  }
  const [first] = answers;
  if (!first)
    throw new ClusterDriverError(
      "UNREACHABLE",
      `cluster ${cluster}: the API server host ${hostname} has no address`,
      {
        cluster,
      },
    );
  if (!trustedName) {
    const internal = answers.find((answer) => !isAddressAllowed(answer.address, policy.allowedHosts));
    if (internal) throw refuse(internal.address);
  }
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
