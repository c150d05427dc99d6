import Link from "@mui/material/Link";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import type { Metadata } from "next";
import { CodeBlock } from "@/components/api-access/CodeBlock";
import { apiAccessUrls, callRecipe, tokenRecipe } from "@/components/api-access/recipes";
import { PageHeader } from "@/components/PageHeader";
import { Section } from "@/components/ui/Section";
import { serverCaller } from "@/trpc/server";
import { requireConsoleSession } from "../require-session";

export const metadata: Metadata = { title: "Use the API" };

/**
 * How a script reaches the REST API: the base URL, a token by the OAuth2
 * client-credentials grant (a service account per automation), a first call,
 * and the documentation. Every signed-in role may read it; the API applies
 * the caller's roles and tenant as the console does.
 */
export default async function ApiAccessPage() {
  await requireConsoleSession();
  const access = await (await serverCaller()).session.apiAccess();
  const urls = apiAccessUrls(access.consoleUrl, access.issuer);
  return (
    <>
      <PageHeader
        title="Use the API"
        description="Scripts and other programs use the same REST API as the console, with the same roles and tenant rules: a service account sees and changes what it owns, like any user."
      />
      <Stack spacing={3} sx={{ maxWidth: 960 }}>
        <Section title="Base URL" headingVariant="h2" testId="api-base-url-section">
          <CodeBlock text={urls.baseUrl} label="base URL" testId="api-base-url" />
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            Every answer is JSON; an error is <code>{"{error, message, field?}"}</code> with the field it
            concerns.
          </Typography>
        </Section>
        <Section title="1. Get an access token" headingVariant="h2" testId="api-token-section">
          <Typography variant="body2" sx={{ mb: 1.5 }}>
            An automation signs in as a <strong>service account</strong>: a confidential client of the
            identity provider with the realm roles it needs (<code>service-provider</code>,{" "}
            <code>infrastructure-provider</code> or <code>nemo-admin</code>). Its client id and secret buy a
            short-lived access token at the realm&apos;s token endpoint (OAuth2 client-credentials grant); ask
            for a new one when it expires. The service account is a user of its own: it is its own tenant.
          </Typography>
          <CodeBlock text={tokenRecipe(urls)} label="token recipe" testId="api-token-recipe" />
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {access.localIssuer ? (
              <>
                The quick start&apos;s local issuer has one service account, <code>nemo-automation</code>{" "}
                (service provider); its secret is in <code>.nemo/service-accounts.json</code>. More go in the
                file named by <code>NEMO_SERVICE_ACCOUNTS_FILE</code>.
              </>
            ) : (
              <>
                On Keycloak: a client with Client authentication and Service accounts roles on, the realm
                roles assigned under Service accounts roles, and an audience mapper adding{" "}
                <code>{access.audience}</code> to its tokens.
              </>
            )}{" "}
            <code>jq</code> reads the token out of the JSON answer.
          </Typography>
        </Section>
        <Section title="2. Call the API" headingVariant="h2" testId="api-call-section">
          <CodeBlock text={callRecipe(urls)} label="API call" testId="api-call-recipe" />
        </Section>
        <Section title="Documentation" headingVariant="h2" testId="api-docs-section">
          <Stack spacing={1}>
            {/* Plain links: these are API routes, not console pages. */}
            <Link href="/api/v1/docs" data-testid="api-docs-link">
              Interactive API documentation (/api/v1/docs)
            </Link>
            <Link href="/api/v1/openapi.json">OpenAPI 3.1 document (/api/v1/openapi.json)</Link>
          </Stack>
        </Section>
      </Stack>
    </>
  );
}
