import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { sendTestAlert } from "@/lib/alerts/forwarding-settings.ts";

export const POST = apiRoute(op.testAlertForwarding, async () => ({ results: await sendTestAlert(db()) }));
