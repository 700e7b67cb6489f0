import Link from "next/link";

/** A public IP's network owner under its place: "AS15169 Google LLC · hosting". */
export function NetworkOwnerNote({
  asn,
  organization,
  hosting,
}: {
  asn: number | null;
  organization: string | null;
  hosting: boolean | null;
}) {
  if (asn === null) return null;
  return (
    <span className="block text-xs text-slate-500" data-testid="network-owner">
      <Link href={`/network/${asn}`} className="hover:underline">
        AS{asn}
        {organization ? ` ${organization}` : ""}
      </Link>
      {hosting ? (
        <span
          className="ml-1 rounded bg-amber-100 px-1 font-semibold text-amber-800"
          title="A hosting or cloud provider's network"
        >
          hosting
        </span>
      ) : null}
    </span>
  );
}

/** Every IP shown links to its page (who else used it, its network). */
export function IpLink({ ip }: { ip: string | null }) {
  if (!ip) return <>—</>;
  return (
    <Link href={`/ip/${encodeURIComponent(ip)}`} className="text-sky-700 hover:underline">
      {ip}
    </Link>
  );
}
