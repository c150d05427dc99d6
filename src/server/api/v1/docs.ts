/**
 * The interactive API docs at /api/v1/docs: Swagger UI (swagger-ui-dist,
 * pinned) served from our own routes, so the page works offline and loads
 * nothing from a CDN. "Try it out" calls the API with the console's session
 * cookie, or with a bearer token entered under "Authorize".
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

const DOCS_BASE = "/api/v1/docs";

/** The only files served, so the route cannot be used to read anything else. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

// The initializer is a file, not an inline script, so a strict CSP can allow 'self' only.
const INIT_SCRIPT = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
  });
});
`;

export function docsPage(): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NEMO Intent-Based API · docs</title>
<link rel="stylesheet" href="${DOCS_BASE}/swagger-ui.css">
<style>body{margin:0;background:#fafafa}.topbar{display:none}</style>
</head>
<body>
<noscript>The interactive docs need JavaScript; the API description is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="${DOCS_BASE}/swagger-ui-bundle.js"></script>
<script src="${DOCS_BASE}/init.js"></script>
</body>
</html>
`;
  return new Response(html, {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" },
  });
}

export async function docsAsset(name: string): Promise<Response> {
  if (name === "init.js") {
    return new Response(INIT_SCRIPT, {
      headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" },
    });
  }
  // Own keys only: "constructor" or "__proto__" found Object.prototype's and read a missing file (500).
  const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!type) return new Response("Not found", { status: 404 });
  // `next start` runs from the project root; the package is a runtime dependency there.
  const file = path.join(process.cwd(), "node_modules", "swagger-ui-dist", name);
  const body = await readFile(file);
  return new Response(new Uint8Array(body), {
    headers: { "content-type": type, "cache-control": "public, max-age=86400" },
  });
}
