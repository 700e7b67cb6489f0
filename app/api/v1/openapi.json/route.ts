import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/api/openapi";

// Public on purpose: the API's description holds no data.
export function GET() {
  return NextResponse.json(openApiDocument);
}
