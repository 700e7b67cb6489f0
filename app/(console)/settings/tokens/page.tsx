import { requirePagePermission } from "@/lib/auth/page-guard";
import { listTokens } from "@/lib/auth/api-tokens.ts";
import { db } from "@/lib/db/prisma";
import { TokensManager } from "./tokens-manager";
import { Breadcrumb, SETTINGS } from "@/app/_components/breadcrumb";

export const metadata = { title: "API tokens · Settings · VPN Sight" };

export default async function TokensPage() {
  await requirePagePermission("tokens.manage");
  const tokens = await listTokens(db());
  return (
    <div className="space-y-4">
      <Breadcrumb root={SETTINGS} current="API tokens" />
      <h1 className="text-xl font-semibold">API tokens</h1>
      <p className="text-sm text-slate-600">
        Send a token as <code>Authorization: Bearer …</code>. The API is described at{" "}
        <a className="text-sky-700 underline" href="/api/v1/openapi.json">
          /api/v1/openapi.json
        </a>
        . A token belongs to the admin who creates it: it acts with the lower of its role and theirs, and stops working
        when they are disabled.
      </p>
      <TokensManager tokens={JSON.parse(JSON.stringify(tokens))} />
    </div>
  );
}
