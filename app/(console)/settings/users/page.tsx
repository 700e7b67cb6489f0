import { requirePagePermission } from "@/lib/auth/page-guard";
import { db } from "@/lib/db/prisma";
import { listUsers } from "@/lib/auth/users.ts";
import { UsersManager } from "./users-manager";
import { Breadcrumb, SETTINGS } from "@/app/_components/breadcrumb";

export const metadata = { title: "Users · Settings · VPN Sight" };

export default async function UsersPage() {
  const principal = await requirePagePermission("users.manage");
  const users = await listUsers(db());
  return (
    <div className="space-y-4">
      <Breadcrumb root={SETTINGS} current="Users" />
      <h1 className="text-xl font-semibold">Users</h1>
      <UsersManager users={JSON.parse(JSON.stringify(users))} currentUserId={principal.id} />
    </div>
  );
}
