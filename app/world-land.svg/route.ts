import { worldSvg } from "@/app/_components/world-projection";

// The maps' background: the same for every page and every build of the data, so browsers keep it a day.
export const dynamic = "force-static";

export function GET() {
  return new Response(worldSvg, {
    headers: { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" },
  });
}
