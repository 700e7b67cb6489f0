import { requirePagePermission } from "@/lib/auth/page-guard";
import { readEnv } from "@/lib/config/env";
import { Breadcrumb, SETTINGS } from "@/app/_components/breadcrumb";
import { ChangePasswordForm } from "./change-password-form";
import { SignOutEverywhere } from "./sign-out-everywhere";

export const metadata = { title: "Your account · Settings · VPN Sight" };

export default async function AccountPage() {
  const principal = await requirePagePermission("account.manage");
  const env = readEnv();
  return (
    <div className="space-y-4">
      <Breadcrumb root={SETTINGS} current="Your account" />
      <h1 className="text-xl font-semibold">Your account</h1>
      <dl className="card grid grid-cols-1 gap-1 text-sm sm:grid-cols-[8rem_1fr]">
        <dt className="text-slate-600">Email</dt>
        <dd>{principal.name}</dd>
        <dt className="text-slate-600">Role</dt>
        <dd>{principal.role}</dd>
      </dl>
      <ChangePasswordForm />
      <SignOutEverywhere idleMinutes={env.SESSION_IDLE_MINUTES} maxHours={env.SESSION_MAX_HOURS} />
    </div>
  );
}
