import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { notFound } from "@/lib/errors";
import { sensorRadsecCertificate } from "@/lib/radius/radsec-settings.ts";

/** The sensor's RadSec server certificate (public), as a file an admin gives the proxy or NAS to trust. */
export const GET = apiRoute(op.getRadsecCertificate, async ({ params }) => {
  const pem = await sensorRadsecCertificate(db(), params.sensorId);
  if (!pem) throw notFound("That sensor has not reported a RadSec certificate (RADSEC_PORT=0, or it never ran).");
  const file = `vpnsight-radsec-${params.sensorId.replace(/[^A-Za-z0-9._-]+/g, "_")}.crt`;
  return new Response(pem, {
    headers: { "content-type": "application/x-pem-file", "content-disposition": `attachment; filename="${file}"` },
  });
});
