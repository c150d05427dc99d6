import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { MAX_DETAIL_LENGTH, sanitizeDetail } from "../errors";
import { toDriverError } from "./api-errors";

const context = { cluster: "edge-1", operation: "listing nodes" };

describe("sanitised driver error messages", () => {
  it("never repeats a non-Status body", () => {
    const body = "<html>\n<body>secret-token-in-a-page /etc/kubernetes/admin.conf</body>\n</html>";
    const error = toDriverError(new ApiException(500, "Internal Server Error", body, {}), context);
    expect(error.message).toBe(
      "cluster edge-1: listing nodes: the API server answered with an error (500 Internal Server Error)",
    );
  });

  it("keeps a Status message to one bounded line without file paths", () => {
    const message = `admission webhook denied:\n${"a".repeat(5_000)}\nsee /var/lib/kubelet/config.yaml`;
    const body = JSON.stringify({ kind: "Status", message, reason: "Invalid", code: 422 });
    const error = toDriverError(new ApiException(422, "Unprocessable", body, {}), {
      ...context,
      invalid: "INVALID_MANIFEST",
    });
    expect(error.type).toBe("INVALID_MANIFEST");
    expect(error.message).toMatch(
      /^cluster edge-1: listing nodes: the API server refused the request \(422 Unprocessable Entity\): admission webhook denied: a+…$/,
    );
    expect(error.message).not.toMatch(/\n|\/var\//);
  });

  it("names socket and TLS failures by their code only", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.1.2.3:6443"), { code: "ECONNREFUSED" });
    expect(toDriverError(refused, context).message).toBe(
      "cluster edge-1: listing nodes: API server unreachable (ECONNREFUSED)",
    );
    const tls = Object.assign(
      new Error(
        "Hostname/IP does not match certificate's altnames: Host: x. is not in the cert's altnames: DNS:internal-name",
      ),
      {
        code: "ERR_TLS_CERT_ALTNAME_INVALID",
      },
    );
    expect(toDriverError(tls, context)).toMatchObject({
      type: "INVALID_CONFIG",
      message:
        "cluster edge-1: listing nodes: TLS verification of the API server failed (ERR_TLS_CERT_ALTNAME_INVALID)",
    });
  });

  it("strips file paths and newlines from a library error", () => {
    const error = new Error(
      "ENOENT: no such file or directory, open '/home/op/.kube/token'\n    at Object.openSync",
    );
    expect(toDriverError(error, context).message).toBe(
      "cluster edge-1: listing nodes: the request failed: ENOENT: no such file or directory, open '<path>' at Object.openSync",
    );
  });
});

describe("sanitizeDetail", () => {
  it("replaces control characters, paths (POSIX, home, relative, Windows) and cuts long text", () => {
    expect(sanitizeDetail("a\r\nb\u0000c\u2028d")).toBe("a b c d");
    expect(
      sanitizeDetail("read /etc/passwd, ~/.kube/config, ./certs/ca.pem and C:\\Users\\op\\key.pem"),
    ).toBe("read <path>, <path>, <path> and <path>");
    expect(sanitizeDetail("x".repeat(500))).toHaveLength(MAX_DETAIL_LENGTH);
    expect(sanitizeDetail("short", 3)).toBe("sh…");
  });

  it("replaces URLs and IP addresses: an API server's address never reaches a status reason", () => {
    expect(
      sanitizeDetail(
        "request to https://api.edge-1.example:6443/api/v1/nodes?limit=5 failed, reason: connect 10.0.3.7:6443 or [fd00::1]:6443 (v1.29.3)",
      ),
    ).toBe("request to <url> failed, reason: connect <address> or <address> (v1.29.3)");
  });
});
