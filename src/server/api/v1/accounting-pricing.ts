/**
 * REST Intent-Based API, MOCA pricing tables (/api/v1/accounting/regions/,
 * /green-rewards/, /settings/). Thin: the same domain functions as the tRPC
 * accounting router. Every role reads (the tables price their bills); only
 * admins write (403 otherwise), each write audited. Amounts are decimal
 * strings of units (1 token = 10^8 units).
 */
import { ALL_ROLES, Role } from "@/common/roles";
import {
  accountingSettingsUpdateSchema,
  greenRewardsUpdateSchema,
  regionCreateSchema,
  regionDataSchema,
} from "@/common/accounting-pricing";
import { created, restHandler } from "@/server/api/rest";
import {
  createRegion,
  deleteRegion,
  getAccountingSettings,
  getGreenRewards,
  getRegion,
  listRegions,
  updateAccountingSettings,
  updateGreenRewards,
  updateRegion,
} from "@/server/accounting";

const readers = ALL_ROLES;
const admins = [Role.NEMO_ADMIN];

/** GET /api/v1/accounting/regions/ — every region with data, and those clusters use without data. */
export const listRegionsRest = restHandler({ roles: readers }, async ({ db, user }) => ({
  items: await listRegions({ db, user }),
}));

/** POST /api/v1/accounting/regions/ — a new region with its data (admin). */
export const createRegionRest = restHandler(
  { roles: admins, body: regionCreateSchema },
  async ({ db, user, body }) => {
    const region = await createRegion({ db, user }, body);
    return created(region, `/api/v1/accounting/regions/${encodeURIComponent(region.name)}/`);
  },
);

/**
 * The region name of the path. A region name never holds "%", so one in the
 * segment is an encoding Next left in place ("eu%20west" → "eu west"); an
 * undecodable one is passed on for the domain to refuse as a bad name.
 */
function nameOf(params: Record<string, string>): string {
  const raw = params.name ?? "";
  if (!raw.includes("%")) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** GET /api/v1/accounting/regions/{name}/ */
export const regionRest = restHandler({ roles: readers }, ({ db, user, params }) =>
  getRegion({ db, user }, nameOf(params)),
);

/** PUT /api/v1/accounting/regions/{name}/ — sets its data (admin; creates it for a region clusters name). */
export const updateRegionRest = restHandler(
  { roles: admins, body: regionDataSchema },
  ({ db, user, params, body }) => updateRegion({ db, user }, nameOf(params), body),
);

/** DELETE /api/v1/accounting/regions/{name}/ — refused (409) while clusters are in it. */
export const deleteRegionRest = restHandler({ roles: admins }, ({ db, user, params }) =>
  deleteRegion({ db, user }, nameOf(params)),
);

/** GET /api/v1/accounting/green-rewards/ — the table in force, its preset, and both presets' tables. */
export const greenRewardsRest = restHandler({ roles: readers }, ({ db, user }) =>
  getGreenRewards({ db, user }),
);

/** PUT /api/v1/accounting/green-rewards/ — `{preset}` or `{rewards: [{percent, reward}]}` (admin). */
export const updateGreenRewardsRest = restHandler(
  { roles: admins, body: greenRewardsUpdateSchema },
  ({ db, user, body }) => updateGreenRewards({ db, user }, body),
);

/** GET /api/v1/accounting/settings/ */
export const accountingSettingsRest = restHandler({ roles: readers }, ({ db, user }) =>
  getAccountingSettings({ db, user }),
);

/** PUT /api/v1/accounting/settings/ — `{chargePerGb}` (admin). */
export const updateAccountingSettingsRest = restHandler(
  { roles: admins, body: accountingSettingsUpdateSchema },
  ({ db, user, body }) => updateAccountingSettings({ db, user }, body),
);
