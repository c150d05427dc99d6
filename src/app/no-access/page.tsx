import Box from "@mui/material/Box";
import List from "@mui/material/List";
import ListItem from "@mui/material/ListItem";
import ListItemText from "@mui/material/ListItemText";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { CenteredCard } from "@/components/CenteredCard";
import { LogoutButton } from "@/components/LogoutButton";
import { getSession } from "@/trpc/server";
import { ALL_ROLES, ROLE_DESCRIPTIONS, ROLE_TO_REALM_ROLE } from "@/common/roles";

export const metadata: Metadata = { title: "No access" };

/** A signed-in user without any NEMO role: say why and what to ask for. */
export default async function NoAccessPage() {
  const session = await getSession();
  if (!session) redirect("/signin");
  if (session.user.roles.length > 0) redirect("/");
  const { user } = session;
  return (
    <CenteredCard maxWidth={560}>
      <Stack spacing={2.5}>
        <div>
          <Typography variant="overline" color="text.secondary">
            Signed in, but no role
          </Typography>
          <Typography variant="h1">No access</Typography>
        </div>
        <Typography>
          You are signed in as <strong>{user.displayName}</strong> ({user.username}), but your account has
          none of the NEMO Console roles, so there is nothing you can open yet.
        </Typography>
        <Box>
          <Typography variant="h3" component="h2" gutterBottom>
            The console&apos;s roles
          </Typography>
          <List dense disablePadding>
            {ALL_ROLES.map((role) => (
              <ListItem key={role} disableGutters>
                <ListItemText
                  primary={<code>{ROLE_TO_REALM_ROLE[role]}</code>}
                  secondary={ROLE_DESCRIPTIONS[role]}
                />
              </ListItem>
            ))}
          </List>
        </Box>
        <Typography color="text.secondary">
          Ask your Keycloak administrator to grant you one of these realm roles, then sign in again.
        </Typography>
        <Box>
          <LogoutButton variant="contained" color="primary" />
        </Box>
      </Stack>
    </CenteredCard>
  );
}
