"use client";

import FormControlLabel from "@mui/material/FormControlLabel";
import Switch from "@mui/material/Switch";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";

import { SHOW_INACTIVE_PARAM } from "./show-inactive-param";

/**
 * The switch's state from the URL (`?inactive=1`), and a setter that replaces
 * the URL. The switch moves at once (the navigation follows a moment later);
 * a change of the URL from elsewhere (back, a link) moves it too.
 */
export function useShowInactive(): [boolean, (value: boolean) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const fromUrl = params.get(SHOW_INACTIVE_PARAM) === "1";
  const [value, setValue] = useState(fromUrl);
  const [seenUrl, setSeenUrl] = useState(fromUrl);
  if (seenUrl !== fromUrl) {
    setSeenUrl(fromUrl);
    setValue(fromUrl);
  }
  const set = (next: boolean) => {
    setValue(next);
    const query = new URLSearchParams(params.toString());
    if (next) query.set(SHOW_INACTIVE_PARAM, "1");
    else query.delete(SHOW_INACTIVE_PARAM);
    const text = query.toString();
    router.replace(text ? `${pathname}?${text}` : pathname, { scroll: false });
  };
  return [value, set];
}

export function ShowInactiveSwitch({
  checked,
  onChange,
  what,
}: {
  checked: boolean;
  onChange: (value: boolean) => void;
  /** What inactive means here ("deleted instances"), for the label's title. */
  what: string;
}) {
  return (
    <FormControlLabel
      control={<Switch size="small" checked={checked} onChange={(e) => onChange(e.target.checked)} />}
      label="Show inactive"
      title={`Also list ${what}`}
      sx={{ mr: 0, whiteSpace: "nowrap" }}
    />
  );
}
