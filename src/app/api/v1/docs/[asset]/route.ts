import { docsAsset } from "@/server/api/v1/docs";

/** GET /api/v1/docs/{asset} — the docs page's script and stylesheet. */
export async function GET(
  _request: Request,
  { params }: { params: Promise<{ asset: string }> },
): Promise<Response> {
  return docsAsset((await params).asset);
}
