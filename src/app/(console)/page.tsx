import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { AreaTile } from "@/components/AreaTile";
import { areaAccess, homeAreas } from "@/common/areas";
import { describeRoles, ROLE_LABELS } from "@/common/roles";
import { requireConsoleSession } from "./require-session";

export default async function HomePage() {
  const { user } = await requireConsoleSession();
  const firstName = user.displayName.split(" ")[0] ?? user.displayName;
  return (
    <Stack spacing={4}>
      <Box>
        <Typography variant="overline" color="text.secondary">
          Multi-cluster workload lifecycle
        </Typography>
        <Typography variant="h1" sx={{ mb: 1 }}>
          Welcome, {firstName}
        </Typography>
        <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
          <Typography color="text.secondary">Signed in as {user.username} with</Typography>
          {user.roles.map((role) => (
            <Chip key={role} size="small" color="primary" variant="outlined" label={ROLE_LABELS[role]} />
          ))}
        </Stack>
      </Box>
      <Box
        component="nav"
        aria-label="Console areas"
        sx={{
          display: "grid",
          gap: 3,
          gridTemplateColumns: { xs: "1fr", sm: "1fr 1fr", md: "repeat(3, 1fr)", xl: "repeat(5, 1fr)" },
        }}
      >
        {homeAreas(user.roles).map((area) => (
          <AreaTile
            key={area.key}
            areaKey={area.key}
            href={area.href}
            title={area.title}
            description={area.description}
            access={areaAccess(user.roles, area.key)}
            reason={`Needs the ${describeRoles([...area.manage, ...area.read])} role`}
          />
        ))}
      </Box>
    </Stack>
  );
}
