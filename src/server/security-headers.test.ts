import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import nextConfig from "../../next.config";
import { config as proxyConfig, proxy } from "@/proxy";
import { contentSecurityPolicy } from "./security-headers";

const APP = "http://localhost:3999";

/** The headers next.config.ts sets for a path (the sources it uses: `:name*` and `:name`; last match wins). */
async function configHeaders(path: string, requestHeaders: Record<string, string> = {}) {
  const rules = (await nextConfig.headers?.()) ?? [];
  const result: Record<string, string> = {};
  for (const rule of rules) {
    const pattern = rule.source.replace(/\/:\w+\*/g, "(?:/.*)?").replace(/:\w+/g, "[^/]+");
    if (!new RegExp(`^${pattern}$`).test(path)) continue;
    const wanted = rule.has ?? [];
    if (!wanted.every((h) => h.type === "header" && requestHeaders[h.key] === h.value)) continue;
    for (const { key, value } of rule.headers) result[key.toLowerCase()] = value;
  }
  return result;
}

const throughProxy = (path: string) => new RegExp(`^${proxyConfig.matcher[0]}$`).test(path);

function expectEveryResponseHeaders(headers: Record<string, string>): void {
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-frame-options"]).toBe("DENY");
}

describe("security headers on every response", () => {
  it("a page gets a nonce CSP from the proxy, which Next renders with", async () => {
    expect(throughProxy("/signin")).toBe(true);
    const response = await proxy(new NextRequest(`${APP}/signin`));
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("frame-ancestors 'none'");
    // The request Next renders with carries the same policy, so its inline scripts get the nonce.
    expect(response.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expectEveryResponseHeaders(await configHeaders("/signin"));
    expect((await configHeaders("/signin"))["content-security-policy"]).toBeUndefined();
  });

  it("a console page's redirect to /signin carries the CSP too, with a fresh nonce each time", async () => {
    expect(throughProxy("/workloads")).toBe(true);
    const nonce = async () => {
      const response = await proxy(new NextRequest(`${APP}/workloads`));
      expect(response.status).toBe(307);
      return /'nonce-([^']+)'/.exec(response.headers.get("content-security-policy") ?? "")?.[1];
    };
    expect(await nonce()).not.toBe(await nonce());
  });

  it("a REST route skips the proxy (it would buffer bodies) and gets a no-content policy", async () => {
    expect(throughProxy("/api/v1/workload/upload/")).toBe(false);
    expect(throughProxy("/api")).toBe(false);
    const headers = await configHeaders("/api/v1/me/");
    expectEveryResponseHeaders(headers);
    expect(headers["content-security-policy"]).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
  });

  it("the docs page and its assets may load their own scripts, and nothing inline", async () => {
    for (const path of ["/api/v1/docs", "/api/v1/docs/init.js"]) {
      const headers = await configHeaders(path);
      expectEveryResponseHeaders(headers);
      expect(headers["content-security-policy"]).toContain("script-src 'self';");
      expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    }
  });

  it("build assets get nosniff; HSTS only over https", async () => {
    expect(throughProxy("/_next/static/chunks/app.js")).toBe(false);
    expectEveryResponseHeaders(await configHeaders("/_next/static/chunks/app.js"));
    expect((await configHeaders("/signin"))["strict-transport-security"]).toBeUndefined();
    expect(
      (await configHeaders("/signin", { "x-forwarded-proto": "https" }))["strict-transport-security"],
    ).toBe("max-age=31536000; includeSubDomains");
  });
});

describe("the pages' content security policy", () => {
  it("allows inline styles (emotion) but scripts only from us or with the nonce; eval only in development", () => {
    expect(contentSecurityPolicy("abc")).toBe(
      "default-src 'self'; script-src 'self' 'nonce-abc'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
        "base-uri 'self'; frame-ancestors 'none'",
    );
    expect(contentSecurityPolicy("abc", true)).toContain("script-src 'self' 'nonce-abc' 'unsafe-eval'");
  });
});
