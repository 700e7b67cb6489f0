"use client";

import { useSyncExternalStore } from "react";

const never = () => () => {};

/**
 * A value the browser computes (local time, "is the page interactive") that the server cannot: the server's fallback
 * while hydrating, then the browser's, without a second render pass through an effect.
 */
export function useBrowserValue<T extends string | number | boolean>(browser: () => T, server: T): T {
  return useSyncExternalStore(never, browser, () => server);
}
