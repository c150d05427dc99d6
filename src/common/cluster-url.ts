/**
 * What a cluster's API server URL may be (a kubeconfig's `server`, a
 * registration's managed API): scheme, host and port, nothing else. A path,
 * query or user info would let a registrant aim the console's credentials and
 * requests at any endpoint of any host (SSRF); `sim://<name>` names a
 * simulated cluster. Whether http:// and sim:// are allowed, and which hosts
 * may be reached, is the server's decision (`src/server/clusters/network-policy.ts`).
 */

const SIM_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export type ClusterServerUrl =
  | { kind: "simulated"; cluster: string }
  | { kind: "http"; url: URL; scheme: "https" | "http"; hostname: string };

/** The parsed URL, or the reason it is not one a cluster may have (for a field error). */
export function parseClusterServerUrl(value: string): ClusterServerUrl | { problem: string } {
  if (value.startsWith("sim://")) {
    const name = value.slice("sim://".length).replace(/\/+$/, "");
    return SIM_NAME.test(name) && name.length <= 63
      ? { kind: "simulated", cluster: name }
      : { problem: "must be sim://<cluster-name> for a simulated cluster" };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: "is not a URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return { problem: `must use https:// (not ${url.protocol.replace(/:$/, "")})` };
  if (url.username !== "" || url.password !== "") return { problem: "must not contain user info" };
  if (url.pathname !== "/" && url.pathname !== "") return { problem: "must not have a path" };
  // `new URL` drops an empty "?" or "#", so look at the text too.
  if (url.search !== "" || value.includes("?")) return { problem: "must not have a query" };
  if (url.hash !== "" || value.includes("#")) return { problem: "must not have a fragment" };
  if (url.hostname === "") return { problem: "must name a host" };
  return {
    kind: "http",
    url,
    scheme: url.protocol === "https:" ? "https" : "http",
    // The WHATWG parser has already normalised the host: lower case, IPv4 in any spelling
    // (decimal, octal, hex, short forms) to dotted quads, IPv6 compressed and in brackets.
    hostname: url.hostname.replace(/^\[|\]$/g, ""),
  };
}

/** The problem with a cluster server URL, or null when it has only scheme, host and port. */
export function clusterServerUrlProblem(value: string): string | null {
  const parsed = parseClusterServerUrl(value);
  return "problem" in parsed ? parsed.problem : null;
}
