"use client";

import MenuItem from "@mui/material/MenuItem";
import TextField from "@mui/material/TextField";
import { useState } from "react";
import type { ListControls } from "./ResourceTable";

/**
 * A server-paged table's filters besides the search: what is set, setting
 * some of them, whether any is set and clearing them — both back to page 1.
 * Pass the result as `ResourceTable`'s `filters`.
 */
export interface ListFilters<Filters> {
  filters: Filters;
  filter: (patch: Partial<Filters>) => void;
  active: boolean;
  clear: () => void;
  /**
   * Counts the clears: a text field that keeps what was typed until applied
   * takes it in its `key`, so a cleared table starts it afresh.
   */
  cleared: number;
}

export function useListFilters<Filters extends object, Sort extends string>(
  controls: ListControls<Sort>,
  none: Filters,
): ListFilters<Filters> {
  const [filters, setFilters] = useState<Filters>(none);
  const [cleared, setCleared] = useState(0);
  return {
    filters,
    filter: (patch) => {
      setFilters((current) => ({ ...current, ...patch }));
      controls.setPage(1);
    },
    active: (Object.keys(none) as (keyof Filters)[]).some((key) => filters[key] !== none[key]),
    clear: () => {
      setFilters(none);
      setCleared((n) => n + 1);
      controls.setPage(1);
    },
    cleared,
  };
}

/**
 * A filter's drop-down in a table's toolbar; with `all`, a first entry
 * (value "") that filters nothing, shown while nothing is chosen.
 */
export function SelectFilter<Value extends string>({
  label,
  value,
  onChange,
  options,
  all,
  minWidth = 150,
}: {
  label: string;
  value: Value;
  onChange: (value: Value) => void;
  options: readonly { value: Value; label: string }[];
  all?: string;
  minWidth?: number;
}) {
  return (
    <TextField
      select
      size="small"
      label={label}
      value={value}
      onChange={(e) => onChange(e.target.value as Value)}
      sx={{ minWidth }}
      slotProps={{
        ...(all !== undefined && { select: { displayEmpty: true } }),
        inputLabel: { shrink: true },
      }}
    >
      {all !== undefined && <MenuItem value="">{all}</MenuItem>}
      {options.map((option) => (
        <MenuItem key={option.value} value={option.value}>
          {option.label}
        </MenuItem>
      ))}
    </TextField>
  );
}
