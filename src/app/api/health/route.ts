import { NextResponse } from "next/server";
import { db } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** Liveness/readiness for the Helm chart's probes: the web process and its database. */
export async function GET(): Promise<NextResponse> {
  try {
    await db().$queryRaw`SELECT 1`;
    return NextResponse.json({ status: "ok", database: "ok" });
  } catch (error) {
    return NextResponse.json(
      { status: "degraded", database: "unreachable", message: (error as Error).message },
      { status: 503 },
    );
  }
}
