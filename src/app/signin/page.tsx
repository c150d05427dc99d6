import Alert from "@mui/material/Alert";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { CenteredCard } from "@/components/CenteredCard";
import { SignInButton } from "@/components/SignInButton";
import { getSession } from "@/trpc/server";

export const metadata: Metadata = { title: "Sign in" };

/** next-auth error codes → what the user can do about them. */
const ERRORS: Record<string, string> = {
  OAuthSignin: "Could not start signing in with Keycloak. Is the identity provider reachable?",
  OAuthCallback: "Keycloak answered in a way the console could not accept. Please try again.",
  Callback: "Signing in did not complete. Please try again.",
  AccessDenied: "Keycloak denied the sign-in.",
  Configuration: "The console's sign-in is misconfigured. Contact your administrator.",
  SessionRequired: "Please sign in to continue.",
};

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Only same-site paths: never bounce a user to another origin after sign-in. */
function safeCallback(value: string | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallback(first(params.callbackUrl));
  const session = await getSession();
  if (session) redirect(session.user.roles.length > 0 ? callbackUrl : "/no-access");

  const error = first(params.error);
  const signedOut = first(params.state) === "signed-out";
  return (
    <CenteredCard>
      <Stack spacing={3}>
        <div>
          <Typography variant="h1" gutterBottom>
            Sign in
          </Typography>
          <Typography color="text.secondary">
            Deploy and watch workloads, instances, intents and clusters across the IoT–Edge–Cloud continuum.
          </Typography>
        </div>
        {signedOut && !error && (
          <Alert severity="success" data-testid="signed-out">
            You have signed out.
          </Alert>
        )}
        {error && <Alert severity="error">{ERRORS[error] ?? "Signing in failed. Please try again."}</Alert>}
        <SignInButton callbackUrl={callbackUrl} />
        <Typography variant="body2" color="text.secondary" sx={{ textAlign: "center" }}>
          You will continue at your organisation&apos;s Keycloak.
        </Typography>
      </Stack>
    </CenteredCard>
  );
}
