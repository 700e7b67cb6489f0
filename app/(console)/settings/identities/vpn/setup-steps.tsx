// What a new admin needs to point a VPN server here: the sensors' addresses, the port, and short steps per vendor.
import type { SensorView } from "@/lib/radius/sensors.ts";

const LOOPBACK = /^(127\.|::1$)/;
const LINK_LOCAL = /^fe80:/i;

/** The sensors' addresses, reporting ones first; loopback only when there is nothing else; never link-local. */
export function sensorAddresses(sensors: SensorView[]): string[] {
  const ordered = [...sensors].sort((a, b) => Number(b.online) - Number(a.online));
  const all = [...new Set(ordered.flatMap((s) => s.addresses))].filter((a) => !LINK_LOCAL.test(a));
  const routable = all.filter((a) => !LOOPBACK.test(a));
  return routable.length ? routable : all;
}

export function SetupSteps({ sensors, port }: { sensors: SensorView[]; port: number }) {
  const addresses = sensorAddresses(sensors);
  const address = addresses[0] ?? "<sensor address>";
  const steps: { id: string; title: string; body: React.ReactNode }[] = [
    {
      id: "rras",
      title: "Microsoft RRAS",
      body: (
        <ol className="list-decimal space-y-1 pl-5">
          <li>Routing and Remote Access console › the server › Properties › Security.</li>
          <li>
            Accounting provider: <strong>RADIUS Accounting</strong> › Configure › Add: server name {address}, port{" "}
            {port}, the shared secret above; tick <em>Send RADIUS Accounting On and Accounting Off messages</em>.
          </li>
          <li>Restart the Remote Access service; a connection shows up on the identity within seconds.</li>
        </ol>
      ),
    },
    {
      id: "asa",
      title: "Cisco ASA",
      body: (
        <pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{`aaa-server VPNSIGHT protocol radius
aaa-server VPNSIGHT (inside) host ${address}
 key <shared secret>
 acct-port ${port}
tunnel-group <your tunnel group> general-attributes
 accounting-server-group VPNSIGHT`}</pre>
      ),
    },
    {
      id: "f5",
      title: "F5 BIG-IP APM",
      body: (
        <ol className="list-decimal space-y-1 pl-5">
          <li>
            Access › Authentication › RADIUS › Create: mode <strong>Accounting</strong>, server {address}, accounting
            port {port}, the shared secret.
          </li>
          <li>
            In the access policy, add a <em>RADIUS Acct</em> action using that server after the logon succeeds.
          </li>
        </ol>
      ),
    },
    {
      id: "checkpoint",
      title: "Check Point",
      body: (
        <ol className="list-decimal space-y-1 pl-5">
          <li>
            SmartConsole: a new host object for {address} and a RADIUS server object on it (service port {port}, the
            shared secret).
          </li>
          <li>
            Select that server for RADIUS accounting of Remote Access VPN users on the gateway, then install policy. The
            menu names differ between releases: see Check Point&apos;s Remote Access VPN guide for yours.
          </li>
        </ol>
      ),
    },
    {
      id: "proxy",
      title: "FreeRADIUS or NPS proxy",
      body: (
        <>
          <p>Forward accounting (not authentication) here; the sensor answers Status-Server probes.</p>
          <pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{`home_server vpnsight {
    type = acct
    ipaddr = ${address}
    port = ${port}
    secret = <shared secret>
    status_check = status-server
}`}</pre>
          <p>
            NPS: Connection Request Policies › a policy for the VPN server › Settings › Accounting: forward accounting
            requests to a Remote RADIUS Server Group holding {address} (accounting port {port}).
          </p>
        </>
      ),
    },
  ];
  return (
    <section className="card space-y-3" aria-labelledby="setup-heading">
      <h2 id="setup-heading" className="text-lg font-semibold">
        Set up a VPN server
      </h2>
      <p className="text-sm">
        Send RADIUS accounting to{" "}
        {addresses.length ? (
          <span data-testid="sensor-addresses">
            {addresses.map((a, i) => (
              <span key={a}>
                {i > 0 ? ", " : ""}
                <code className="font-mono">{a}</code>
              </span>
            ))}
          </span>
        ) : (
          <span data-testid="sensor-addresses">the sensor&apos;s address (no sensor has reported yet)</span>
        )}{" "}
        on UDP port <code className="font-mono">{port}</code>, with the shared secret above (or the RADIUS client&apos;s
        own).
      </p>
      <div className="space-y-1 text-sm">
        {steps.map((s) => (
          <details key={s.id} className="rounded border border-slate-200 p-2">
            <summary className="cursor-pointer font-medium">{s.title}</summary>
            <div className="mt-2 space-y-2">{s.body}</div>
          </details>
        ))}
      </div>
    </section>
  );
}
