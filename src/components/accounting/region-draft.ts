import type { RouterOutputs } from "@/trpc/types";

/**
 * A region's form draft, apart from the dialog: the table opens the dialog
 * with it, and the dialog (with the zod schemas it checks against) loads only
 * when opened, so that zod is not part of the Accounting page's first load.
 */

type Region = RouterOutputs["accounting"]["regions"][number];

export const AMOUNT_FIELDS = [
  [
    "regionalCpuCosts",
    "Regional CPU costs",
    "Threshold vs CPU millicores · 10³: at or below, no CPU charge.",
  ],
  [
    "regionalMemoryCosts",
    "Regional memory costs",
    "Threshold vs memory MiB · 10³: at or below, no memory charge.",
  ],
  ["regionalGpuCosts", "Regional GPU costs", "Units added to every ML (GPU) charge."],
  ["highDemandCost", "High-demand cost", "Added before the compute charge's / 1000 while in high demand."],
] as const;
export type AmountField = (typeof AMOUNT_FIELDS)[number][0];

export interface Draft {
  name: string;
  highDemand: boolean;
  regionalCpuCosts: string;
  regionalMemoryCosts: string;
  regionalGpuCosts: string;
  highDemandCost: string;
}

export const EMPTY: Draft = {
  name: "",
  highDemand: false,
  regionalCpuCosts: "",
  regionalMemoryCosts: "",
  regionalGpuCosts: "",
  highDemandCost: "0",
};

export function draftOf(region: Region): Draft {
  return {
    name: region.name,
    highDemand: region.highDemand ?? false,
    regionalCpuCosts: region.regionalCpuCosts ?? "",
    regionalMemoryCosts: region.regionalMemoryCosts ?? "",
    regionalGpuCosts: region.regionalGpuCosts ?? "",
    highDemandCost: region.highDemandCost ?? "0",
  };
}
