import { formatTokens } from "@/common/tokens";

/** Units as a decimal string (as the API sends them) → "12.5 tokens". */
export function tokens(units: string | null | undefined): string {
  if (units === null || units === undefined || !/^-?\d+$/.test(units)) return "—";
  return formatTokens(BigInt(units));
}

/** Units → tokens as a number, for chart axes only (tables show the exact text). */
export function tokensForChart(units: string | undefined): number {
  return units ? Number(units) / 1e8 : 0;
}

export const RULE_LABELS: Record<string, string> = {
  registration: "Registration",
  compute: "Compute",
  network: "Network",
  ml: "Machine learning",
  data: "Data",
  conversion: "Conversion",
};

export const RULES = Object.keys(RULE_LABELS);

export const ruleLabel = (rule: string) => RULE_LABELS[rule] ?? rule;
