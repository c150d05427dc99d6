import VisibilityOutlinedIcon from "@mui/icons-material/VisibilityOutlined";
import Alert from "@mui/material/Alert";
import Chip from "@mui/material/Chip";
import type { ReactNode } from "react";
import { areaAccess, areaByKey, rolesForArea, type AreaAccess, type AreaKey } from "@/common/areas";
import { describeRoles, type Role } from "@/common/roles";
import { Forbidden } from "./Forbidden";
import { PageHeader } from "./PageHeader";

/** Frame of an area's page: header, the 403 panel for roles without access, a read-only notice. */
export function AreaPage({
  areaKey,
  roles,
  readOnlyNotice,
  children,
}: {
  areaKey: AreaKey;
  roles: Role[];
  readOnlyNotice?: string;
  children: (access: Exclude<AreaAccess, "none">) => ReactNode;
}) {
  const area = areaByKey(areaKey);
  const access = areaAccess(roles, areaKey);
  if (access === "none") {
    return <Forbidden area={area.title} neededRoles={describeRoles(rolesForArea(areaKey))} />;
  }
  return (
    <>
      <PageHeader
        title={area.title}
        description={area.description}
        actions={
          access === "read" ? (
            <Chip
              icon={<VisibilityOutlinedIcon />}
              label="Read-only"
              variant="outlined"
              data-testid="read-only-badge"
            />
          ) : undefined
        }
      />
      {access === "read" && readOnlyNotice && (
        <Alert severity="info" variant="outlined" sx={{ mb: 3, bgcolor: "background.paper" }}>
          {readOnlyNotice}
        </Alert>
      )}
      {children(access)}
    </>
  );
}
