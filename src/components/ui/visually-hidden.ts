/**
 * Hidden from sight, still read by screen readers (a sort direction, a
 * collapsed rail's link names, an unread count, a "copied" status). As an
 * `sx` value or a `style`.
 */
export const visuallyHidden = {
  border: 0,
  clip: "rect(0 0 0 0)",
  height: 1,
  margin: -1,
  overflow: "hidden",
  padding: 0,
  position: "absolute",
  whiteSpace: "nowrap",
  width: 1,
} as const;
