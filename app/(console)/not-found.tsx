import Link from "next/link";

/** What notFound() shows inside the console: an identity without VPN activity, an alert id that does not exist… */
export default function ConsoleNotFound() {
  return (
    <div className="card space-y-2">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="text-sm text-slate-600">
        Nothing is recorded under this address. An identity appears once a VPN server has sent accounting for it; an
        alert link may point to another installation.
      </p>
      <p className="flex gap-4 text-sm">
        <Link href="/identities" className="text-sky-700 hover:underline">
          Identities
        </Link>
        <Link href="/alerts" className="text-sky-700 hover:underline">
          Alerts
        </Link>
      </p>
    </div>
  );
}
