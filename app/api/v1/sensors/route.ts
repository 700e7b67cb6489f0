import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db, dbRead } from "@/lib/db/prisma";
import { configuredReplication } from "@/lib/db/replication.ts";
import { listSensors } from "@/lib/radius/sensors.ts";

export const GET = apiRoute(op.listSensors, async () => {
  const [items, replication] = await Promise.all([listSensors(db()), configuredReplication(db(), dbRead())]);
  return { items, replication };
});
