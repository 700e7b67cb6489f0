"use client";

import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import type { ApiResult } from "./api-client";

/**
 * The portal's one way to run an API call from a form or a button: keeps the API's error
 * message for display, resets the form on success and refreshes the server-rendered page.
 */
export function useApiAction() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async <T>(request: Promise<ApiResult<T>>, form?: HTMLFormElement): Promise<ApiResult<T>> => {
      const result = await request;
      setError(result.ok ? null : result.message);
      if (result.ok) form?.reset();
      router.refresh();
      return result;
    },
    [router],
  );
  return { error, run };
}
