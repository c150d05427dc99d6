"use client";

import Autocomplete from "@mui/material/Autocomplete";
import Box from "@mui/material/Box";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { StatusChip } from "@/components/StatusChip";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";

type InstanceRow = RouterOutputs["instance"]["list"]["items"][number];

export interface InstanceOption {
  id: string;
  shortId: string;
  releaseName: string;
  status: string;
  cluster: string | null;
}

/** Instances an intent can be attached to: not gone, not going, not broken. */
const ATTACHABLE = (status: string) => !["DELETING", "DELETED", "FAILED"].includes(status);

const option = (i: InstanceRow | RouterOutputs["instance"]["get"]): InstanceOption => ({
  id: i.id,
  shortId: i.shortId,
  releaseName: i.releaseName,
  status: i.status,
  cluster: typeof i.cluster === "string" ? i.cluster : (i.cluster?.name ?? null),
});

/**
 * "Workload Instance ID": the caller's instances (an admin's: everyone's),
 * searched on the server by release name or id as one types, shown as
 * release name + short id.
 */
export function InstancePicker({
  value,
  onChange,
  label = "Workload Instance ID",
  required = false,
  error,
  helperText,
  disabled = false,
}: {
  value: string;
  onChange: (id: string) => void;
  label?: string;
  required?: boolean;
  error?: string | undefined;
  helperText?: string;
  disabled?: boolean;
}) {
  const trpc = useTRPC();
  // What the box shows, and what was typed (the label of a chosen instance is not a search).
  const [text, setText] = useState("");
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState<string | undefined>(undefined);
  useEffect(() => {
    const handle = setTimeout(() => setSearch(typed.trim() || undefined), 250);
    return () => clearTimeout(handle);
  }, [typed]);

  const choices = useQuery({
    ...trpc.instance.list.queryOptions({
      page: 1,
      pageSize: 25,
      sort: "createdAt",
      direction: "desc",
      ...(search ? { search } : {}),
    }),
    placeholderData: keepPreviousData,
  });
  // The chosen instance may not be on the first page of the list (a link with ?instanceId=).
  const chosen = useQuery({
    ...trpc.instance.get.queryOptions({ id: value }),
    enabled: value !== "",
    staleTime: 60_000,
  });

  const options = (choices.data?.items ?? []).filter((i) => ATTACHABLE(i.status)).map(option);
  const selected = value
    ? (options.find((o) => o.id === value) ?? (chosen.data ? option(chosen.data) : null))
    : null;
  if (selected && !options.some((o) => o.id === selected.id)) options.unshift(selected);

  return (
    <Autocomplete<InstanceOption>
      options={options}
      value={selected}
      onChange={(_, next) => onChange(next?.id ?? "")}
      inputValue={text}
      onInputChange={(_, next, reason) => {
        setText(next);
        setTyped(reason === "input" ? next : "");
      }}
      // The server searches; the options are already the matches.
      filterOptions={(o) => o}
      isOptionEqualToValue={(a, b) => a.id === b.id}
      getOptionLabel={(o) => `${o.releaseName} (${o.shortId})`}
      loading={choices.isFetching}
      disabled={disabled}
      noOptionsText={search ? `No instance matches “${search}”` : "No instances yet: create one first."}
      renderOption={({ key, ...props }, o) => (
        <Box component="li" key={key} {...props} sx={{ display: "flex", gap: 1, alignItems: "center" }}>
          <Box sx={{ flexGrow: 1 }}>
            <Typography sx={{ fontWeight: 600 }} component="span">
              {o.releaseName}
            </Typography>{" "}
            <Typography variant="body2" color="text.secondary" component="span">
              {o.shortId}
              {o.cluster ? ` · ${o.cluster}` : ""}
            </Typography>
          </Box>
          <StatusChip status={o.status} />
        </Box>
      )}
      renderInput={(params) => (
        <TextField
          {...params}
          label={label}
          required={required}
          error={Boolean(error)}
          helperText={error ?? helperText ?? "Search by release name or instance ID."}
        />
      )}
    />
  );
}
