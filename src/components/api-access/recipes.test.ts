import { describe, expect, it } from "vitest";
import { apiAccessUrls, callRecipe, tokenEndpointOf, tokenRecipe } from "./recipes";

describe("Use the API recipes", () => {
  const urls = apiAccessUrls("http://localhost:3000/", "http://127.0.0.1:8180/realms/nemo/");

  it("derives the base URL, Keycloak's token endpoint and the docs from the configuration", () => {
    expect(urls).toEqual({
      baseUrl: "http://localhost:3000/api/v1",
      tokenEndpoint: "http://127.0.0.1:8180/realms/nemo/protocol/openid-connect/token",
      docsUrl: "http://localhost:3000/api/v1/docs",
      openApiUrl: "http://localhost:3000/api/v1/openapi.json",
    });
    expect(tokenEndpointOf("https://kc.example.org/realms/nemo")).toBe(
      "https://kc.example.org/realms/nemo/protocol/openid-connect/token",
    );
  });

  it("asks for a token with the client-credentials grant and calls the API with it", () => {
    const token = tokenRecipe(urls);
    expect(token).toContain('curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials');
    expect(token).toContain(urls.tokenEndpoint);
    expect(token).toContain("CLIENT_ID=nemo-automation");
    expect(callRecipe(urls)).toContain('-H "Authorization: Bearer $TOKEN" http://localhost:3000/api/v1/me/');
  });
});
