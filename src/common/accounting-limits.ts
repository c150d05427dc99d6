/**
 * Limits of the MOCA pricing tables as plain constants, without zod: the
 * Accounting page's editors read them in the browser, where importing
 * accounting-pricing.ts would bring zod into the page's first load.
 */

/** Rows of a green-rewards table, the last included. */
export const MAX_GREEN_REWARD_ROWS = 101;
