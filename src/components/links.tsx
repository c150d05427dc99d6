"use client";

import Button, { type ButtonProps } from "@mui/material/Button";
import Link, { type LinkProps } from "@mui/material/Link";
import NextLink from "next/link";

/*
 * MUI components rendered as Next links. They live in a client module because
 * a server component cannot hand `component={NextLink}` (a function) to MUI.
 */

export function ButtonLink({ href, ...props }: Omit<ButtonProps<"a">, "href"> & { href: string }) {
  return <Button component={NextLink} href={href} {...props} />;
}

export function TextLink({ href, ...props }: Omit<LinkProps, "href"> & { href: string }) {
  return <Link component={NextLink} href={href} {...props} />;
}
