import { apiRoute } from "@/lib/api/door";
import { db } from "@/lib/db/prisma";
import { getRadsecSettings, updateRadsecSettings } from "@/lib/radsec-settings";

export const GET = apiRoute("vpn.read", async () => getRadsecSettings(db()));

export const PUT = apiRoute("vpn.write", async ({ json, actor }) =>
  updateRadsecSettings(db(), await json(), await actor()),
);
