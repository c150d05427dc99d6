import { unknownApiRoute } from "@/server/api/v1/unknown-route";

/** Any other /api/v1 path (Next prefers every specific route): 404 JSON — see src/server/api/v1/unknown-route.ts. */
export const GET = unknownApiRoute;
export const POST = unknownApiRoute;
export const PUT = unknownApiRoute;
export const PATCH = unknownApiRoute;
export const DELETE = unknownApiRoute;
