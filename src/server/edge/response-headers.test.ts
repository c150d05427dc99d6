import { describe, expect, it } from "vitest";
import nextConfig from "../../../next.config";
import { apiJsonHeaders } from "./response-headers";

/**
 * The headers next.config.ts gives a path (with or without X-Forwarded-Proto:
 * https): its rules applied in order, the last value of a key winning, as
 * Next.js applies them. Only the source shapes the config uses.
 */
async function configHeaders(pathname: string, forwardedProto?: string): Promise<Record<string, string>> {
  const rules = (await nextConfig.headers?.()) ?? [];
  const matches = (source: string) => {
    if (source === "/:path*") return true;
    if (source.endsWith("/:path*")) return pathname.startsWith(source.slice(0, -"/:path*".length) + "/");
    if (source.endsWith("/:asset"))
      return new RegExp(`^${source.slice(0, -"/:asset".length)}/[^/]+$`).test(pathname);
    return source === pathname;
  };
  const headers: Record<string, string> = {};
  for (const rule of rules) {
    if (!matches(rule.source)) continue;
    const needsHttps = rule.has?.some((h) => h.type === "header" && h.key === "x-forwarded-proto");
    if (needsHttps && forwardedProto !== "https") continue;
    for (const { key, value } of rule.headers) headers[key.toLowerCase()] = value;
  }
  return headers;
}

const asRecord = (rules: ReturnType<typeof apiJsonHeaders>) =>
  Object.fromEntries(rules.map(({ key, value }) => [key.toLowerCase(), value]));

describe("response headers", () => {
  it("gives the hot reads exactly what next.config.ts gives their paths", async () => {
    for (const path of ["/api/v1/instance/", "/api/v1/instance/x/timeline/", "/api/v1/intent/"]) {
      expect(asRecord(apiJsonHeaders(undefined))).toEqual(await configHeaders(path));
      expect(asRecord(apiJsonHeaders("https"))).toEqual(await configHeaders(path, "https"));
    }
  });

  it("keeps the docs page's own policy and HSTS only over https", async () => {
    const docs = await configHeaders("/api/v1/docs");
    expect(docs["content-security-policy"]).toContain("script-src 'self'");
    expect(docs["strict-transport-security"]).toBeUndefined();
    expect((await configHeaders("/instances", "https"))["strict-transport-security"]).toContain("max-age");
  });
});
