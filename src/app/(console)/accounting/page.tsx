import type { Metadata } from "next";
import { AreaPage } from "@/components/AreaPage";
import { AccountingConsole } from "@/components/accounting/AccountingConsole";
import { requireArea } from "../require-session";

export const metadata: Metadata = { title: "Accounting" };

/** Balances, charges, earnings and (admins) the ledger's health and pricing tables. */
export default async function AccountingPage() {
  const gate = await requireArea("accounting", "manage");
  if (gate.forbidden) return gate.forbidden;
  return (
    <AreaPage areaKey="accounting" access={gate.access}>
      <AccountingConsole roles={gate.session.user.roles} />
    </AreaPage>
  );
}
