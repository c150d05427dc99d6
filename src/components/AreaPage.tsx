import VisibilityOutlinedIcon from "@mui/icons-material/VisibilityOutlined";
import Alert from "@mui/material/Alert";
import Chip from "@mui/material/Chip";
import type { ReactNode } from "react";
import { areaByKey, type AreaAccess, type AreaKey } from "@/common/areas";
import { PageHeader } from "./PageHeader";

/**
 * Frame of an area's page: header and, for read-only access, a badge and a
 * notice. The page has already turned away roles without access
 * (`requireArea`, which shows the 403 view instead).
 */
export function AreaPage({
  areaKey,
  access,
  readOnlyNotice,
  children,
}: {
  areaKey: AreaKey;
  access: Exclude<AreaAccess, "none">;
  readOnlyNotice?: string;
  children: ReactNode;
}) {
  const area = areaByKey(areaKey);
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
      {children}
    </>
  );
}
