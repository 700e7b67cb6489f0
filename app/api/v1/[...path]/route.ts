import type { NextRequest } from "next/server";
import { apiError } from "@/lib/api/error-body";

// Any /api/v1 path no route handles: the API's JSON error, not the portal's HTML 404 page.
// It reveals nothing the public OpenAPI document does not.
function notFound(req: NextRequest) {
  return apiError(
    404,
    "not_found",
    `No API route ${req.method} ${new URL(req.url).pathname}: see /api/v1/openapi.json.`,
  );
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
