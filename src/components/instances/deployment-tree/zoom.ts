/**
 * Zoom levels of the deployment tree's viewport. Pure, so it is tested
 * without a browser.
 */

export const MIN_ZOOM = 0.3;
export const MAX_ZOOM = 2;
export const ZOOM_STEP = 0.1;

/** A zoom level within bounds, rounded to whole percent (repeated steps do not drift). */
export function clampZoom(zoom: number): number {
  if (Number.isNaN(zoom)) return 1;
  return Math.round(Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom)) * 100) / 100;
}

/** The zoom that shows a `width` × `height` tree whole in the viewport; never above actual size. */
export function fitZoom(
  width: number,
  height: number,
  viewportWidth: number,
  viewportHeight: number,
): number {
  if (width <= 0 || height <= 0 || viewportWidth <= 0) return 1;
  const byWidth = viewportWidth / width;
  const byHeight = viewportHeight > 0 ? viewportHeight / height : byWidth;
  // Floored to whole percent, so the fitted tree is never a pixel wider than the viewport.
  return clampZoom(Math.floor(Math.min(1, byWidth, byHeight) * 100) / 100);
}
