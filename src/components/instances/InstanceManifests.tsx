"use client";

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ManifestBrowser } from "@/components/manifests/ManifestBrowser";
import { Section } from "@/components/ui/Section";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";

type Instance = RouterOutputs["instance"]["get"];

function ValuesOverride({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <Section title="Values override">
      <Paper variant="outlined" sx={{ p: 1.5, overflowX: "auto" }}>
        <Box
          component="pre"
          aria-label="Values override"
          data-testid="values-override"
          sx={{ m: 0, fontFamily: "monospace", fontSize: 13, whiteSpace: "pre" }}
        >
          {text}
        </Box>
      </Paper>
    </Section>
  );
}

/**
 * The instance page's Manifests tab: the stored render, with the values
 * override, secret values redacted until the owner reveals them.
 */
export function InstanceManifests({ instance }: { instance: Instance }) {
  const trpc = useTRPC();
  // Secret values read "<redacted>" until the owner asks; each reveal is audited, so it is never automatic.
  const [revealed, setRevealed] = useState(false);
  const secretQuery = revealed
    ? // Secrets in clear are not kept in the cache once the tab is left.
      { staleTime: Infinity, gcTime: 0 }
    : { staleTime: Infinity };
  // The stored render: it never changes for an instance.
  const manifests = useQuery({
    ...trpc.instance.manifests.queryOptions({ id: instance.id, ...(revealed && { revealSecrets: true }) }),
    ...secretQuery,
    // The redacted render stays on screen (and the button keeps focus) while the other one loads.
    placeholderData: (previous) => previous,
  });
  const values = useQuery({
    ...trpc.instance.get.queryOptions({ id: instance.id, revealSecrets: true }),
    ...secretQuery,
    enabled: revealed,
  });
  const reveal = instance.canRevealSecrets && (
    <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
      <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }}>
        {revealed
          ? "Secret values are shown in clear; this reveal was recorded in the audit log."
          : "Secret values (keys named like a secret, token, password or key, and the data of Secrets) read <redacted>."}
      </Typography>
      <Button
        variant="outlined"
        size="small"
        aria-pressed={revealed}
        onClick={() => setRevealed((on) => !on)}
      >
        {revealed ? "Hide secrets" : "Reveal secrets"}
      </Button>
    </Stack>
  );
  if (manifests.isPending)
    return <Skeleton variant="rounded" height={320} aria-label="Loading the manifests" />;
  if (manifests.error) return <Alert severity="error">{manifests.error.message}</Alert>;
  if (values.error) return <Alert severity="error">{values.error.message}</Alert>;
  const valuesText = revealed && values.data ? values.data.valuesOverride : instance.valuesOverride;
  return (
    <Stack spacing={1.5}>
      {reveal}
      <ValuesOverride text={valuesText} />
      {manifests.data.length === 0 ? (
        <Alert severity="info">The chart rendered no Kubernetes documents for this instance.</Alert>
      ) : (
        <>
          <Typography variant="body2" color="text.secondary">
            The manifests rendered for this instance (release {instance.releaseName}, namespace{" "}
            {instance.namespace}) — what the orchestrator applied to {instance.cluster?.name ?? "its cluster"}
            .
          </Typography>
          <ManifestBrowser
            manifests={manifests.data}
            downloadName={`${instance.releaseName}-${instance.shortId}`}
          />
        </>
      )}
    </Stack>
  );
}
