import { z } from "zod";
import { INTENT_TYPE_NAMES } from "./intent-catalogue";

/**
 * An intent type's name, as requests carry it. Kept apart from the catalogue, which
 * the console bundles: zod would add its whole library to the pages' JavaScript.
 */
export const intentTypeNameSchema = z.enum(INTENT_TYPE_NAMES, {
  error: (issue) =>
    `Unknown intent type${typeof issue.input === "string" ? ` "${issue.input}"` : ""}: use one of ${INTENT_TYPE_NAMES.join(", ")}.`,
});
