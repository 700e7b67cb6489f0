import { apiRoute } from "@/lib/api/door";
import { sendTestAlert } from "@/lib/alert-forwarding";
import { db } from "@/lib/db/prisma";

export const POST = apiRoute("alertForwarding.write", async () => ({ results: await sendTestAlert(db()) }));
