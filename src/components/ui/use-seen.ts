"use client";

import { useEffect, useState, type RefObject } from "react";

/**
 * True once the element has come within `margin` of the viewport (by
 * default: into it), and from then on. Charts mount with it, so that their library (recharts, about
 * 150 KB gz) loads when scrolled to rather than with the page.
 */
export function useSeen(ref: RefObject<HTMLElement | null>, margin = "0px"): boolean {
  const [seen, setSeen] = useState(false);
  // No dependency list: the element may appear after the first render (a loading state first).
  useEffect(() => {
    const element = ref.current;
    if (seen || !element) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setSeen(true);
      },
      { rootMargin: margin },
    );
    observer.observe(element);
    return () => observer.disconnect();
  });
  return seen;
}
