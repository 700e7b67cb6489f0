import { apiRoute } from "@/lib/api/door";
import { db } from "@/lib/db/prisma";
import { listSensors } from "@/lib/sensors";

export const GET = apiRoute("vpn.read", async () => ({ items: await listSensors(db()) }));
