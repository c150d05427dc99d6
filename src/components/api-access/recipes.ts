/**
 * The shell recipes of the "Use the API" page (and the README): a token by
 * the OAuth2 client-credentials grant at the realm's token endpoint, then a
 * REST call with it. Pure strings, so the page and its test share them.
 */
export interface ApiAccessUrls {
  /** The console's REST base, e.g. http://localhost:3000/api/v1 */
  baseUrl: string;
  /** The realm's token endpoint (Keycloak's path, also the local issuer's). */
  tokenEndpoint: string;
  /** Interactive documentation of the REST API. */
  docsUrl: string;
  openApiUrl: string;
}

/** Keycloak's token endpoint under a realm URL. */
export function tokenEndpointOf(issuer: string): string {
  return `${issuer.replace(/\/$/, "")}/protocol/openid-connect/token`;
}

export function apiAccessUrls(consoleUrl: string, issuer: string): ApiAccessUrls {
  const base = consoleUrl.replace(/\/$/, "");
  return {
    baseUrl: `${base}/api/v1`,
    tokenEndpoint: tokenEndpointOf(issuer),
    docsUrl: `${base}/api/v1/docs`,
    openApiUrl: `${base}/api/v1/openapi.json`,
  };
}

/** Step 1: the service account's client id and secret buy an access token (valid minutes; ask again). */
export function tokenRecipe(urls: ApiAccessUrls, clientId = "nemo-automation"): string {
  return [
    `CLIENT_ID=${clientId}`,
    `CLIENT_SECRET='<the client secret>'`,
    `TOKEN=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials \\`,
    `  ${urls.tokenEndpoint} | jq -r .access_token)`,
  ].join("\n");
}

/** Step 2: any /api/v1 call with the token. */
export function callRecipe(urls: ApiAccessUrls): string {
  return [
    `curl -s -H "Authorization: Bearer $TOKEN" ${urls.baseUrl}/me/`,
    `curl -s -H "Authorization: Bearer $TOKEN" ${urls.baseUrl}/instance/`,
  ].join("\n");
}
