// Health issues as an admin meets them: a NAS sending with a wrong secret (real radclient packets) opens an
// ingestion failure within a minute, shown in the API, on the overview's banner, on Settings › Health and in the
// NAS table; the right secret closes it by itself. Named to run after vpn-settings.spec (accounting unconfigured at
// first there); it sets its own secret.
import { spawnSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { ADMIN, readState } from "./product";
import { signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

const SECRET = `Health-Secret-${Date.now()}`;
const admin = () => ({ authorization: `Bearer ${readState().adminToken}` });

function radclient(secret: string, id: string) {
  return spawnSync("radclient", ["-p", "1", "-r", "1", "-t", "2", "127.0.0.1:18130", "acct", secret], {
    input: `User-Name = "hana@contoso.com"\nNAS-IP-Address = 10.0.0.9\nAcct-Session-Id = "${id}"\nAcct-Status-Type = Start\nCalling-Station-Id = "81.2.69.142"\n`,
    encoding: "utf8",
  });
}

interface HealthIssueJson {
  id: string;
  kind: string;
  status: string;
  subject: string;
  message: string;
  openedAt: string;
  closedAt: string | null;
}

test("a NAS with a wrong secret opens an ingestion failure within a minute; fixing the secret closes it", async ({
  page,
  request,
}) => {
  const res = await request.put("/api/v1/settings/vpn", {
    headers: admin(),
    data: { enabled: true, sharedSecret: SECRET },
  });
  expect(res.status()).toBe(200);
  await new Promise((r) => setTimeout(r, 2500)); // the sensor follows the settings within a second or two
  const openFailures = async () =>
    (
      (await (await request.get("/api/v1/health-issues?status=open", { headers: admin() })).json()) as {
        items: HealthIssueJson[];
      }
    ).items.filter((i) => i.kind === "ingestion-failure" && i.subject === "127.0.0.1");
  // Start from a NAS that works: an accepted record closes what an earlier spec's wrong secret may have opened.
  expect(radclient(SECRET, "HANA-0").status).toBe(0);
  await expect.poll(async () => (await openFailures()).length, { timeout: 60_000, intervals: [2000] }).toBe(0);

  const sentAt = Date.now();
  expect(radclient("Not-The-Secret-000001", "HANA-1").status).not.toBe(0); // dropped: never answered
  let issue: HealthIssueJson | undefined;
  await expect
    .poll(
      async () => {
        const body = (await (await request.get("/api/v1/health-issues?status=open", { headers: admin() })).json()) as {
          items: HealthIssueJson[];
        };
        issue = body.items.find((i) => i.kind === "ingestion-failure" && i.subject === "127.0.0.1");
        return issue?.status;
      },
      { timeout: 60_000, intervals: [2000] },
    )
    .toBe("open");
  expect(Date.now() - sentAt).toBeLessThan(60_000);
  expect(issue!.message).toContain("wrong shared secret");
  expect(issue!.closedAt).toBeNull();
  expect(Object.keys(issue!).sort()).toEqual(["closedAt", "id", "kind", "message", "openedAt", "status", "subject"]);

  await signIn(page, ADMIN);
  await page.goto("/");
  const banner = page.getByTestId("health-banner");
  await expect(banner).toContainText("Radius accounting data ingestion failures");
  await banner.getByRole("link", { name: "Health" }).click();
  await expect(page).toHaveURL(/\/settings\/health$/);
  const row = page.getByRole("table", { name: "Open health issues" }).getByTestId("health-issue-ingestion-failure");
  await expect(row).toContainText("127.0.0.1 sends RADIUS accounting with a wrong shared secret");
  await expect(row).toContainText("What to do: Set the same shared secret");

  // Which device is misconfigured, and why: the NAS table on the VPN settings page.
  await page.goto("/settings/identities/vpn");
  await expect(page.getByTestId("nas-127.0.0.1").getByTestId("nas-dropped")).toContainText(
    "bad authenticator (wrong secret?)",
  );
  await expect(page.getByTestId("sensor-addresses")).not.toContainText("no sensor has reported");
  await page.locator("summary", { hasText: "Cisco ASA" }).click();
  await expect(page.getByText("accounting-server-group VPNSIGHT")).toBeVisible();

  // The NAS gets the right secret: its next record is accepted and the issue closes by itself.
  const fixed = radclient(SECRET, "HANA-2");
  expect(fixed.status, fixed.stdout + fixed.stderr).toBe(0);
  await expect
    .poll(
      async () => {
        const body = (await (
          await request.get("/api/v1/health-issues?status=closed", { headers: admin() })
        ).json()) as { items: HealthIssueJson[] };
        return body.items.find((i) => i.id === issue!.id)?.closedAt ?? null;
      },
      { timeout: 60_000, intervals: [2000] },
    )
    .not.toBeNull();
  const open = (await (await request.get("/api/v1/health-issues?status=open", { headers: admin() })).json()) as {
    items: HealthIssueJson[];
  };
  expect(open.items.filter((i) => i.kind === "ingestion-failure")).toEqual([]);
  await page.goto("/settings/health");
  await expect(
    page.getByRole("table", { name: "Closed health issues" }).getByTestId("health-issue-ingestion-failure").first(),
  ).toContainText("127.0.0.1");
  const bad = await request.get("/api/v1/health-issues?status=maybe", { headers: admin() });
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
    "status must be open, closed or all",
  );
});
