import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { listSensors } from "@/lib/radius/sensors.ts";

export const GET = apiRoute(op.listSensors, async () => ({ items: await listSensors(db()) }));
