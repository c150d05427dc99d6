"use client";

import { useSyncExternalStore, type CSSProperties } from "react";
import { formatDate, toDate, type DateFormat, type DateInput } from "./dates";

const subscribe = () => () => {};

/**
 * False while React hydrates server-rendered HTML, true after (and on any
 * render in the browser that is not a hydration).
 */
function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}

/**
 * A date as the console shows it, in a `<time>` element (a dash when there
 * is none). The server does not know the browser's time zone: server HTML
 * and the hydrating render say UTC, so they match; the browser's zone
 * follows right after hydration.
 */
export function Time({
  value,
  format = "dateTime",
  titleFormat,
  title,
  style,
}: {
  value: DateInput | null | undefined;
  format?: DateFormat;
  /** A fuller form on hover. */
  titleFormat?: DateFormat;
  /** Hover text of its own (an exact timestamp). */
  title?: string;
  style?: CSSProperties;
}) {
  const hydrated = useHydrated();
  if (value === null || value === undefined) return <>—</>;
  const date = toDate(value);
  const zone = hydrated ? undefined : "UTC";
  const valid = !Number.isNaN(date.getTime());
  return (
    <time
      dateTime={valid ? date.toISOString() : undefined}
      title={title ?? (titleFormat && valid ? formatDate(date, titleFormat, zone) : undefined)}
      style={style}
    >
      {formatDate(value, format, zone)}
    </time>
  );
}
