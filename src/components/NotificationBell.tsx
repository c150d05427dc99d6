"use client";

import CheckIcon from "@mui/icons-material/Check";
import NotificationsNoneOutlinedIcon from "@mui/icons-material/NotificationsNoneOutlined";
import NotificationsOutlinedIcon from "@mui/icons-material/NotificationsOutlined";
import Alert from "@mui/material/Alert";
import Badge from "@mui/material/Badge";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Divider from "@mui/material/Divider";
import IconButton from "@mui/material/IconButton";
import List from "@mui/material/List";
import ListItem from "@mui/material/ListItem";
import ListItemButton from "@mui/material/ListItemButton";
import Popover from "@mui/material/Popover";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import NextLink from "next/link";
import { useState, type MouseEvent } from "react";
import { Time } from "@/components/ui/Time";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import type { NotificationItem } from "@/server/api/routers/notification";
import { useTRPC } from "@/trpc/react";
import { visuallyHidden } from "./ui/visually-hidden";

/** How often the badge asks for the unread count (one small indexed query). */
export const UNREAD_POLL_MS = 10_000;
const PAGE = 10;
/** The count the server stops at (UNREAD_CAP): the badge says "99+" from there. */
const BADGE_MAX = 99;

function unreadLabel(count: number): string {
  if (count === 0) return "Notifications, none unread";
  return `Notifications, ${count > BADGE_MAX ? `more than ${BADGE_MAX}` : count} unread`;
}

/**
 * The app bar's bell: the unread count as a badge (polled), and on click the
 * caller's notifications, newest first, each linking to its object (opening
 * one marks it read), with "Mark all read" and "Show older".
 */
export function NotificationBell() {
  const trpc = useTRPC();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const open = anchor !== null;

  const unread = useQuery({
    ...trpc.notification.unreadCount.queryOptions(),
    refetchInterval: UNREAD_POLL_MS,
  });
  const list = useInfiniteQuery({
    ...trpc.notification.list.infiniteQueryOptions(
      { limit: PAGE },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    enabled: open,
  });
  const invalidates = [trpc.notification.pathKey()];
  const markRead = useConsoleMutation(trpc.notification.markRead.mutationOptions(), {
    invalidates,
    failed: () => "The notification could not be marked read; try again.",
  });
  const markAll = useConsoleMutation(trpc.notification.markAllRead.mutationOptions(), {
    invalidates,
    succeeded: ({ marked }) =>
      marked === 0 ? "Nothing was unread." : `${marked} notification${marked === 1 ? "" : "s"} marked read.`,
    failed: () => "The notifications could not be marked read; try again.",
  });

  const count = unread.data ?? 0;
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const close = () => setAnchor(null);
  const openMenu = (event: MouseEvent<HTMLElement>) => {
    setAnchor(event.currentTarget);
    // Opened again: show what arrived since.
    if (list.data) void list.refetch();
  };
  const follow = (item: NotificationItem) => {
    if (item.readAt === null) markRead.mutate({ id: item.id });
    close();
  };

  return (
    <>
      <Tooltip title="Notifications">
        <IconButton
          aria-label={unreadLabel(count)}
          aria-haspopup="dialog"
          aria-expanded={open}
          aria-controls={open ? "notification-centre" : undefined}
          onClick={openMenu}
          data-testid="notification-bell"
          sx={{ color: "#d5e6f7" }}
        >
          <Badge
            badgeContent={count}
            max={BADGE_MAX}
            color="error"
            data-testid="notification-count"
            data-count={count}
          >
            {count > 0 ? <NotificationsOutlinedIcon /> : <NotificationsNoneOutlinedIcon />}
          </Badge>
        </IconButton>
      </Tooltip>
      <Popover
        id="notification-centre"
        open={open}
        anchorEl={anchor}
        onClose={close}
        anchorOrigin={{ vertical: "bottom", horizontal: "right" }}
        transformOrigin={{ vertical: "top", horizontal: "right" }}
        slotProps={{
          paper: {
            role: "dialog",
            "aria-labelledby": "notification-centre-title",
            sx: {
              width: { xs: "calc(100vw - 32px)", sm: 400 },
              maxHeight: "min(560px, 80vh)",
              display: "flex",
              flexDirection: "column",
            },
          },
        }}
      >
        <Stack direction="row" sx={{ alignItems: "center", px: 2, py: 1.25, gap: 1 }}>
          <Typography
            id="notification-centre-title"
            variant="subtitle1"
            component="h2"
            sx={{ flexGrow: 1, fontWeight: 600 }}
          >
            Notifications
          </Typography>
          <Button
            size="small"
            onClick={() => markAll.mutate()}
            disabled={count === 0 || markAll.isPending}
            data-testid="notification-mark-all"
          >
            Mark all read
          </Button>
        </Stack>
        <Divider />
        <Box sx={{ overflowY: "auto", flexGrow: 1 }} data-testid="notification-list">
          {list.isPending ? (
            <Stack sx={{ p: 2, gap: 1 }} aria-busy="true" aria-label="Loading notifications">
              {[0, 1, 2].map((n) => (
                <Skeleton key={n} variant="rounded" height={52} />
              ))}
            </Stack>
          ) : list.isError ? (
            <Alert
              severity="error"
              sx={{ m: 2 }}
              action={
                <Button color="inherit" size="small" onClick={() => void list.refetch()}>
                  Retry
                </Button>
              }
            >
              The notifications could not be loaded.
            </Alert>
          ) : items.length === 0 ? (
            <Box sx={{ p: 3, textAlign: "center" }} data-testid="notification-empty">
              <NotificationsNoneOutlinedIcon
                sx={{ fontSize: 36, color: "text.secondary" }}
                aria-hidden="true"
              />
              <Typography variant="body2" sx={{ fontWeight: 500, mt: 1 }}>
                No notifications yet
              </Typography>
              <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
                You are told here when an instance of yours fails or drifts, a migration starts or ends, an
                intent is no longer fulfilled or a cluster of yours goes into error.
              </Typography>
            </Box>
          ) : (
            <List dense disablePadding aria-label="Notifications, newest first">
              {items.map((item) => (
                <NotificationRow
                  key={item.id}
                  item={item}
                  onFollow={() => follow(item)}
                  onMarkRead={() => markRead.mutate({ id: item.id })}
                />
              ))}
            </List>
          )}
          {list.hasNextPage && (
            <Box sx={{ p: 1, textAlign: "center" }}>
              <Button
                size="small"
                onClick={() => void list.fetchNextPage()}
                disabled={list.isFetchingNextPage}
                data-testid="notification-older"
              >
                {list.isFetchingNextPage ? "Loading…" : "Show older"}
              </Button>
            </Box>
          )}
        </Box>
      </Popover>
    </>
  );
}

function NotificationRow({
  item,
  onFollow,
  onMarkRead,
}: {
  item: NotificationItem;
  onFollow: () => void;
  onMarkRead: () => void;
}) {
  const unread = item.readAt === null;
  return (
    <ListItem
      disablePadding
      divider
      data-testid="notification-item"
      data-kind={item.kind}
      data-unread={unread}
      secondaryAction={
        unread ? (
          <Tooltip title="Mark read">
            <IconButton edge="end" size="small" aria-label={`Mark read: ${item.title}`} onClick={onMarkRead}>
              <CheckIcon fontSize="small" />
            </IconButton>
          </Tooltip>
        ) : undefined
      }
    >
      <ListItemButton
        component={NextLink}
        href={item.link}
        onClick={onFollow}
        sx={{ alignItems: "flex-start", pr: 6 }}
      >
        <Box
          aria-hidden="true"
          sx={{
            width: 8,
            height: 8,
            borderRadius: "50%",
            mt: 0.9,
            mr: 1.25,
            flexShrink: 0,
            bgcolor: unread ? "primary.main" : "transparent",
          }}
        />
        <Box sx={{ minWidth: 0 }}>
          <Typography variant="body2" sx={{ fontWeight: unread ? 600 : 400 }}>
            {unread && (
              <Box component="span" sx={visuallyHidden}>
                Unread:{" "}
              </Box>
            )}
            {item.title}
          </Typography>
          <Typography
            variant="body2"
            color="text.secondary"
            sx={{
              overflow: "hidden",
              display: "-webkit-box",
              WebkitLineClamp: 2,
              WebkitBoxOrient: "vertical",
            }}
          >
            {item.message}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            <Time value={item.createdAt} />
          </Typography>
        </Box>
      </ListItemButton>
    </ListItem>
  );
}
