import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";

/** The product mark: a small continuum of linked nodes, drawn inline (no asset requests). */
export function BrandMark({
  size = 28,
  withName = true,
  inverse = false,
}: {
  size?: number;
  withName?: boolean;
  inverse?: boolean;
}) {
  const stroke = inverse ? "#9cc3ee" : "#0b5cad";
  return (
    <Box sx={{ display: "inline-flex", alignItems: "center", gap: 1.25 }}>
      <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect x="1" y="1" width="30" height="30" rx="8" fill={inverse ? "#13304d" : "#e8f1fb"} />
        <path d="M8 22 L16 10 L24 22 Z" fill="none" stroke={stroke} strokeWidth="2" strokeLinejoin="round" />
        <circle cx="16" cy="10" r="3" fill="#2bb3a3" />
        <circle cx="8" cy="22" r="3" fill={stroke} />
        <circle cx="24" cy="22" r="3" fill={stroke} />
      </svg>
      {withName && (
        <Typography
          component="span"
          sx={{
            fontWeight: 500,
            fontSize: "1.15rem",
            letterSpacing: "0.01em",
            color: inverse ? "#fff" : "text.primary",
          }}
        >
          NEMO Console
        </Typography>
      )}
    </Box>
  );
}
