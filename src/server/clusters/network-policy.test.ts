import { describe, expect, it } from "vitest";
import { clusterServerUrlProblem, parseClusterServerUrl } from "@/common/cluster-url";
import { createClusterDriver } from "./driver-factory";
import { isClusterDriverError } from "./errors";
import { KubernetesClusterDriver } from "./kubernetes";
import { startFakeApiServer, fixture, kubeconfigFor } from "./kubernetes/testing/fake-api-server";
import {
  addressBytes,
  classifyAddress,
  isAddressAllowed,
  type Lookup,
  type NetworkPolicy,
  parseAllowList,
  pinAddress,
  serverUrlProblem,
} from "./network-policy";

const strict: NetworkPolicy = { allowHttp: false, allowSimulated: false, allowedHosts: parseAllowList("") };
const lookupOf =
  (...addresses: string[]): Lookup =>
  () =>
    Promise.resolve(addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));

describe("cluster server URLs: scheme, host and port only", () => {
  it.each([
    ["https://api.cluster.example:6443", null],
    ["https://api.cluster.example:6443/", null],
    ["https://[2001:db8::1]:6443", null],
    ["https://user:pw@api.cluster.example", "must not contain user info"],
    ["https://token@api.cluster.example", "must not contain user info"],
    ["https://api.cluster.example/api/v1/namespaces", "must not have a path"],
    ["https://api.cluster.example/?x=1", "must not have a query"],
    ["https://api.cluster.example?", "must not have a query"],
    ["https://api.cluster.example#frag", "must not have a fragment"],
    ["ftp://api.cluster.example", "must use https:// (not ftp)"],
    ["file:///etc/passwd", "must use https:// (not file)"],
    ["not a url", "is not a URL"],
    ["sim://edge-1", null],
    ["sim://Edge_1", "must be sim://<cluster-name> for a simulated cluster"],
  ])("%s → %s", (url, problem) => {
    expect(clusterServerUrlProblem(url)).toBe(problem);
  });

  it("normalises decimal, octal, hex and short IPv4 spellings before anything looks at the host", () => {
    for (const url of ["https://2130706433", "https://0177.0.0.1", "https://0x7f.1", "https://127.1"])
      expect(parseClusterServerUrl(url)).toMatchObject({ hostname: "127.0.0.1" });
    expect(parseClusterServerUrl("https://[::ffff:127.0.0.1]")).toMatchObject({ hostname: "::ffff:7f00:1" });
  });

  it("refuses sim://, http:// and internal literals unless the policy allows them", () => {
    expect(serverUrlProblem("sim://edge", strict)).toMatch(/NEMO_ALLOW_SIMULATED=1/);
    expect(serverUrlProblem("sim://edge", { ...strict, allowSimulated: true })).toBeNull();
    expect(serverUrlProblem("http://api.example", strict)).toMatch(/NEMO_CLUSTER_ALLOW_HTTP=1/);
    expect(serverUrlProblem("http://api.example", { ...strict, allowHttp: true })).toBeNull();
    for (const url of [
      "https://2130706433:6443",
      "https://0x7f.1",
      "https://169.254.169.254",
      "https://[fd00:ec2::254]",
      "https://[::ffff:10.0.0.1]",
    ])
      expect(serverUrlProblem(url, strict, { addresses: true }), url).toMatch(/NEMO_CLUSTER_ALLOWED_HOSTS/);
    expect(serverUrlProblem("https://8.8.8.8", strict, { addresses: true })).toBeNull();
    // Without `addresses` only the form is checked; the connection checks the address.
    expect(serverUrlProblem("https://10.0.0.1:6443", strict)).toBeNull();
  });
});

describe("address classification", () => {
  it.each([
    ["0.0.0.0", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["169.254.169.254", "metadata"],
    ["169.254.1.1", "link-local"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["8.8.8.8", "public"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["fe80::1%eth0", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["fd00:ec2::254", "metadata"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:a9fe:a9fe", "metadata"],
    ["64:ff9b::10.0.0.1", "private"],
    ["2002:7f00:1::", "loopback"],
    ["::127.0.0.1", "reserved"],
    ["2001:4860:4860::8888", "public"],
    ["64:ff9b::8.8.8.8", "public"],
  ])("%s is %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it("reads every IPv6 spelling to the same bytes and a mapped address as IPv4", () => {
    expect(addressBytes("::ffff:10.0.0.1")).toEqual([10, 0, 0, 1]);
    expect(addressBytes("0:0:0:0:0:ffff:a00:1")).toEqual([10, 0, 0, 1]);
    expect(addressBytes("2001:db8::1")).toEqual(addressBytes("2001:0db8:0:0:0:0:0:0001"));
    expect(addressBytes("api.example")).toBeNull();
    expect(addressBytes("2130706433")).toBeNull();
  });

  it("lets the admin allow-list name hosts, addresses and ranges (IPv4 ranges also match mapped addresses)", () => {
    const allowed = parseAllowList(" api.internal. , 10.0.0.0/8, fd00::/8 ,::1,192.168.7.7");
    expect(allowed.names).toEqual(new Set(["api.internal"]));
    expect(isAddressAllowed("10.20.30.40", allowed)).toBe(true);
    expect(isAddressAllowed("::ffff:10.20.30.40", allowed)).toBe(true);
    expect(isAddressAllowed("fd12::1", allowed)).toBe(true);
    expect(isAddressAllowed("::1", allowed)).toBe(true);
    expect(isAddressAllowed("192.168.7.7", allowed)).toBe(true);
    expect(isAddressAllowed("192.168.7.8", allowed)).toBe(false);
    expect(isAddressAllowed("127.0.0.1", allowed)).toBe(false);
    expect(isAddressAllowed("169.254.169.254", allowed)).toBe(false);
    expect(() => parseAllowList("10.0.0.0/33")).toThrow(/bad prefix/);
    expect(() => parseAllowList("http://x/")).toThrow(/not a host, address or CIDR/);
  });
});

describe("resolve, check, pin", () => {
  it("refuses a host any of whose addresses is internal", async () => {
    await expect(
      pinAddress("api.example", strict, "edge", lookupOf("8.8.8.8", "169.254.169.254")),
    ).rejects.toSatisfy(
      (error) =>
        isClusterDriverError(error, "INVALID_CONFIG") &&
        error.message.includes("metadata address (169.254.169.254)"),
    );
    await expect(pinAddress("api.example", strict, "edge", lookupOf("::ffff:127.0.0.1"))).rejects.toThrow(
      /loopback/,
    );
  });

  it("pins the first address of a public host, or of one the allow-list names", async () => {
    expect(await pinAddress("api.example", strict, "edge", lookupOf("8.8.4.4", "8.8.8.8"))).toEqual({
      address: "8.8.4.4",
      family: 4,
    });
    const policy = { ...strict, allowedHosts: parseAllowList("api.internal") };
    expect(await pinAddress("api.internal", policy, "edge", lookupOf("10.0.0.5"))).toEqual({
      address: "10.0.0.5",
      family: 4,
    });
  });

  it("reports a host that does not resolve as UNREACHABLE", async () => {
    const failing: Lookup = () =>
      Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND x"), { code: "ENOTFOUND" }));
    await expect(pinAddress("x.invalid", strict, "edge", failing)).rejects.toSatisfy((error) =>
      isClusterDriverError(error, "UNREACHABLE"),
    );
  });
});

describe("the kubernetes driver's connections", () => {
  const localPolicy = (allowedHosts: string): NetworkPolicy => ({
    allowHttp: true,
    allowSimulated: false,
    allowedHosts: parseAllowList(allowedHosts),
  });

  it("refuses a loopback API server before sending anything, unless allow-listed", async () => {
    const api = await startFakeApiServer();
    try {
      api.on("GET", "/version", { status: 200, body: fixture("version.json") });
      const refused = await new KubernetesClusterDriver({
        cluster: "edge",
        kubeconfig: api.kubeconfig(),
        network: localPolicy(""),
      }).connect();
      expect(refused).toMatchObject({ ok: false, error: { type: "INVALID_CONFIG" } });
      expect(api.requests).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it("connects to the pinned address, whatever DNS says afterwards, and keeps the host name in Host", async () => {
    const api = await startFakeApiServer();
    try {
      api.on("GET", "/version", { status: 200, body: fixture("version.json") });
      api.on("GET", "/api/v1/nodes", { status: 200, body: fixture("nodes.json") });
      api.on("GET", "/api/v1/pods", { status: 200, body: fixture("pods-all-namespaces.json") });
      const port = new URL(api.url).port;
      const answers = [["127.0.0.1"], ["169.254.169.254"]];
      let asked = 0;
      const rebinding: Lookup = () => lookupOf(...(answers[Math.min(asked++, 1)] ?? []))("");
      const driver = new KubernetesClusterDriver({
        cluster: "edge",
        kubeconfig: kubeconfigFor(`http://kube.test:${port}`),
        network: localPolicy("127.0.0.1"),
        lookup: rebinding,
      });
      const result = await driver.connect();
      expect(result.ok).toBe(true);
      expect(asked).toBe(1);
      expect(api.requests.map((r) => r.path)).toEqual(["/version", "/api/v1/nodes", "/api/v1/pods"]);
      expect(api.requests.every((r) => r.host === `kube.test:${port}`)).toBe(true);
    } finally {
      await api.close();
    }
  });

  it("refuses http:// and sim:// servers when the policy does not allow them", () => {
    expect(
      () =>
        new KubernetesClusterDriver({
          cluster: "edge",
          kubeconfig: kubeconfigFor("http://api.example:8080"),
          network: strict,
        }),
    ).toThrow(/NEMO_CLUSTER_ALLOW_HTTP=1/);
  });

  it("stops reading an answer larger than the cap", async () => {
    const api = await startFakeApiServer();
    try {
      api.on("GET", "/version", {
        status: 200,
        body: { gitVersion: "v1.30.0", padding: "x".repeat(64 * 1024) },
      });
      const result = await new KubernetesClusterDriver({
        cluster: "edge",
        kubeconfig: api.kubeconfig(),
        network: localPolicy("127.0.0.1"),
        maxResponseBytes: 16 * 1024,
      }).connect();
      expect(result).toMatchObject({
        ok: false,
        error: {
          type: "UNKNOWN",
          message: expect.stringContaining("answer exceeded 16384 bytes and was not read"),
        },
      });
    } finally {
      await api.close();
    }
  });
});

describe("simulated clusters", () => {
  it("are refused by the driver factory unless the policy allows them", () => {
    const config = { name: "edge", managedApi: "sim://edge" };
    expect(() => createClusterDriver(config, { network: strict })).toThrow(
      expect.objectContaining({ type: "INVALID_CONFIG", message: expect.stringContaining("sim://") }),
    );
    expect(createClusterDriver(config, { network: { ...strict, allowSimulated: true } }).kind).toBe(
      "simulated",
    );
  });
});

describe("paged lists", () => {
  it("reads lists in pages of 500 and stops a server that never stops sending continue tokens", async () => {
    const api = await startFakeApiServer();
    try {
      api.on("GET", "/version", { status: 200, body: fixture("version.json") });
      let served = 0;
      api.on("GET", "/api/v1/nodes", () => ({
        status: 200,
        body: { kind: "NodeList", apiVersion: "v1", metadata: { continue: `page-${++served}` }, items: [] },
      }));
      const result = await new KubernetesClusterDriver({
        cluster: "edge",
        kubeconfig: api.kubeconfig(),
        network: { allowHttp: true, allowSimulated: false, allowedHosts: parseAllowList("127.0.0.1") },
      }).connect();
      expect(result).toMatchObject({
        ok: false,
        error: { message: expect.stringContaining("more than 200 pages of 500") },
      });
      expect(served).toBe(200);
      expect(api.requests.filter((r) => r.path === "/api/v1/nodes").map((r) => r.query.limit)).toEqual(
        Array<string>(200).fill("500"),
      );
      expect(api.requests.at(-1)?.query.continue).toBe("page-199");
    } finally {
      await api.close();
    }
  });
});
