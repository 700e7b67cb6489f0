// Every operation of /api/v1: the route files serve them through the door (door.ts), and the OpenAPI document is
// generated from them (openapi.ts). Input schemas come from the modules that own the rules; the success responses
// are described here.
import { z } from "zod";
import { AlertBulkUpdateSchema, AlertQuerySchema, AlertUpdateSchema } from "../alerts/triage.ts";
import { ExclusionCreateSchema } from "../alerts/exclusions.ts";
import { ForwardingSettingsSchema } from "../alerts/forwarding-settings.ts";
import { CreateTokenSchema } from "../auth/api-tokens.ts";
import { AuditQuerySchema } from "../audit/log.ts";
import { ActivitiesQuerySchema, IdentityListQuerySchema, LocationsQuerySchema } from "../identities/views.ts";
import { AliasSchema, DomainMappingSchema } from "../identities/aliases.ts";
import { CreateRadiusClientSchema, UpdateRadiusClientSchema } from "../radius/radius-clients.ts";
import { RadsecSettingsUpdateSchema } from "../radius/radsec-settings.ts";
import { ChangePasswordSchema, CreateUserSchema, UpdateUserSchema } from "../auth/users.ts";
import { VpnSettingsUpdateSchema } from "../radius/vpn-settings.ts";
import { VpnSessionQuerySchema } from "../sessions/session-list.ts";
import { DirectorySettingsUpdateSchema } from "../directory/settings.ts";
import { HealthIssueQuerySchema } from "../health/health-issues.ts";
import { HealthSettingsSchema } from "../health/health-settings.ts";
import { NasSourcesQuerySchema } from "../health/nas-sources.ts";
import { operation } from "./operation.ts";

const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const list = (item: object, extra: Record<string, object> = {}) =>
  json({ type: "object", properties: { items: { type: "array", items: item }, ...extra } });
const nextCursor = {
  type: ["string", "null"],
  description: "pass as cursor for the next (older) page; null on the last page",
};

// Path segments. A value that fails names nothing: the door answers 404 with the message.
const IdParams = z.object({ id: z.uuid({ error: "No such record." }).describe("The record's id (UUID)") });
const AlertIdParams = z.object({ id: z.string().describe("The alert's id") });
/** Next.js hands route handlers their segments decoded already: decoding again would change "%41" into "A". */
const IdentityParams = z.object({
  identity: z
    .string()
    .min(1, { error: "No such identity." })
    .max(320, { error: "No such identity." })
    .transform((s) => s.toLowerCase())
    .describe("Primary UPN or DOMAIN\\user, URL-encoded (bob%40contoso.com)"),
});
const AliasParams = z.object({ alias: z.string().describe("The alias") });
const DomainParams = z.object({ domain: z.string().describe("The NetBIOS domain") });
const SensorParams = z.object({ sensorId: z.string().describe("The sensor's id") });

export const ActivitiesApiQuerySchema = ActivitiesQuerySchema.extend({
  format: z
    .enum(["json", "csv"], { error: "format is json or csv." })
    .optional()
    .describe("csv: the whole filtered timeline as a file"),
});

export const OPERATIONS = {
  getVpnSettings: operation({
    method: "GET",
    path: "/api/v1/settings/vpn",
    permission: "vpn.read",
    summary: "RADIUS accounting settings (any role)",
    responses: { "200": { description: "Settings", ...json(ref("VpnSettings")) } },
  }),
  putVpnSettings: operation({
    method: "PUT",
    path: "/api/v1/settings/vpn",
    permission: "vpn.write",
    summary: "Enable/disable accounting and set or rotate the shared secret (admin)",
    body: VpnSettingsUpdateSchema,
    responses: { "200": { description: "Saved settings", ...json(ref("VpnSettings")) } },
    errors: [400],
  }),
  getRadsecSettings: operation({
    method: "GET",
    path: "/api/v1/settings/radsec",
    permission: "vpn.read",
    summary: "RadSec (RADIUS over TLS): the client CA and each sensor's listener (any role)",
    responses: { "200": { description: "RadSec settings", ...json(ref("RadsecSettings")) } },
  }),
  putRadsecSettings: operation({
    method: "PUT",
    path: "/api/v1/settings/radsec",
    permission: "vpn.write",
    summary:
      "Upload (PEM) or remove (null) the CA that signs RadSec clients' certificates (admin); sensors follow within a second",
    body: RadsecSettingsUpdateSchema,
    responses: { "200": { description: "Saved", ...json(ref("RadsecSettings")) } },
    errors: [400],
  }),
  getRadsecCertificate: operation({
    method: "GET",
    path: "/api/v1/sensors/{sensorId}/radsec-certificate",
    permission: "vpn.read",
    summary: "A sensor's RadSec server certificate (PEM), to configure a proxy or NAS with (any role)",
    params: SensorParams,
    responses: {
      "200": { description: "PEM certificate", content: { "application/x-pem-file": { schema: { type: "string" } } } },
    },
    errors: [404],
  }),
  listRadiusClients: operation({
    method: "GET",
    path: "/api/v1/radius-clients",
    permission: "radiusClients.read",
    summary: "RADIUS clients (any role)",
    responses: { "200": { description: "Clients", ...list(ref("RadiusClient")) } },
  }),
  createRadiusClient: operation({
    method: "POST",
    path: "/api/v1/radius-clients",
    permission: "radiusClients.write",
    summary: "Add a RADIUS client (admin)",
    body: CreateRadiusClientSchema,
    responses: { "201": { description: "Created", ...json(ref("RadiusClient")) } },
    errors: [400, 409],
  }),
  updateRadiusClient: operation({
    method: "PATCH",
    path: "/api/v1/radius-clients/{id}",
    permission: "radiusClients.write",
    summary: "Change a RADIUS client; a new sharedSecret rotates, null removes the own secret (admin)",
    params: IdParams,
    body: UpdateRadiusClientSchema,
    responses: { "200": { description: "Updated", ...json(ref("RadiusClient")) } },
    errors: [400, 404, 409],
  }),
  deleteRadiusClient: operation({
    method: "DELETE",
    path: "/api/v1/radius-clients/{id}",
    permission: "radiusClients.write",
    summary: "Remove a RADIUS client (admin)",
    params: IdParams,
    responses: { "204": { description: "Removed" } },
    errors: [404],
  }),
  listUsers: operation({
    method: "GET",
    path: "/api/v1/users",
    permission: "users.manage",
    summary: "Users (admin)",
    responses: { "200": { description: "Users", ...list(ref("User")) } },
  }),
  createUser: operation({
    method: "POST",
    path: "/api/v1/users",
    permission: "users.manage",
    summary: "Create a user (admin)",
    body: CreateUserSchema,
    responses: { "201": { description: "Created", ...json(ref("User")) } },
    errors: [400, 409],
  }),
  updateUser: operation({
    method: "PATCH",
    path: "/api/v1/users/{id}",
    permission: "users.manage",
    summary:
      "Change role, disable, rename or set the password of a user (a new password ends the user's sessions); the last active admin cannot be demoted or disabled (admin)",
    params: IdParams,
    body: UpdateUserSchema,
    responses: { "200": { description: "Updated", ...json(ref("User")) } },
    errors: [400, 404],
  }),
  changeOwnPassword: operation({
    method: "POST",
    path: "/api/v1/account/password",
    permission: "account.manage",
    summary:
      "Change the signed-in user's own password (any role; a session, not an API token): every session signed in before ends",
    body: ChangePasswordSchema,
    responses: { "204": { description: "Changed; sign in again" } },
    errors: [400],
  }),
  endAllSessions: operation({
    method: "DELETE",
    path: "/api/v1/account/sessions",
    permission: "account.manage",
    summary:
      "Sign out everywhere: end every portal session of the signed-in user, this one included (a session, not an API token)",
    responses: {
      "200": { description: "Sessions ended", ...json({ type: "object", properties: { ended: { type: "integer" } } }) },
    },
  }),
  listTokens: operation({
    method: "GET",
    path: "/api/v1/tokens",
    permission: "tokens.manage",
    summary: "API tokens, without the token values (admin)",
    responses: { "200": { description: "Tokens" } },
  }),
  createToken: operation({
    method: "POST",
    path: "/api/v1/tokens",
    permission: "tokens.manage",
    summary:
      "Create an API token; the token is in this response only (admin). It belongs to its creator (for a token, that token's owner): it acts with the lower of its role and the owner's, and stops when the owner is disabled",
    body: CreateTokenSchema,
    responses: { "201": { description: "Created; `token` holds the secret value" } },
    errors: [400],
  }),
  revokeToken: operation({
    method: "DELETE",
    path: "/api/v1/tokens/{id}",
    permission: "tokens.manage",
    summary: "Revoke an API token (admin)",
    params: IdParams,
    responses: { "204": { description: "Revoked" } },
    errors: [404],
  }),
  listVpnSessions: operation({
    method: "GET",
    path: "/api/v1/vpn-sessions",
    permission: "sessions.read",
    summary:
      "VPN sessions across identities, newest first, filtered by time, identity, place, IP or CIDR, network (ASN, owner, hosting), NAS, vendor and status; format=csv streams them (any role)",
    query: VpnSessionQuerySchema,
    responses: { "200": { description: "A page of sessions", ...list(ref("VpnSession"), { nextCursor }) } },
    errors: [400],
  }),
  listIdentities: operation({
    method: "GET",
    path: "/api/v1/identities",
    permission: "identities.read",
    summary:
      "Identities with last connection, last location, 30-day sessions and locations, online sessions (any role)",
    query: IdentityListQuerySchema,
    responses: {
      "200": {
        description: "{ items, total, page, pageSize }; each item also carries its AccountContext's fields",
      },
    },
    errors: [400],
  }),
  getIdentity: operation({
    method: "GET",
    path: "/api/v1/identities/{identity}",
    permission: "identities.read",
    summary:
      "An identity's profile header: aliases, names as sent, online sessions, first/last seen, and its directory account (AccountContext's fields, plus account: names, manager, pwdLastSet, passwordExpired, goneAt) (any role)",
    params: IdentityParams,
    responses: { "200": { description: "Profile" } },
    errors: [404],
  }),
  identityLocations: operation({
    method: "GET",
    path: "/api/v1/identities/{identity}/locations",
    permission: "identities.read",
    summary: "Distinct VPN locations of an identity (any role)",
    params: IdentityParams,
    query: LocationsQuerySchema,
    responses: { "200": { description: "Locations", ...list(ref("Location")) } },
    errors: [400, 404],
  }),
  identityActivities: operation({
    method: "GET",
    path: "/api/v1/identities/{identity}/activities",
    permission: "identities.read",
    summary:
      "VPN activity timeline, newest first; format=csv streams the filtered timeline (at most 50,000 rows) (any role)",
    params: IdentityParams,
    query: ActivitiesApiQuerySchema,
    responses: { "200": { description: "{ items, nextCursor } or text/csv" } },
    errors: [400, 404],
  }),
  listIdentityAliases: operation({
    method: "GET",
    path: "/api/v1/identity-aliases",
    permission: "identities.read",
    summary: "Aliases (any role)",
    responses: { "200": { description: "Aliases" } },
  }),
  addIdentityAlias: operation({
    method: "POST",
    path: "/api/v1/identity-aliases",
    permission: "identities.manage",
    summary: "Attach an alternate UPN or DOMAIN\\user to an identity; past sessions move to it (admin)",
    body: AliasSchema,
    responses: { "201": { description: "Created" } },
    errors: [400, 409],
  }),
  previewIdentityAlias: operation({
    method: "GET",
    path: "/api/v1/identity-aliases/preview",
    permission: "identities.read",
    summary: "What adding this alias would merge: { identities, sessions, alerts } (nothing changes)",
    query: AliasSchema,
    responses: { "200": { description: "{ identities, sessions, alerts }" } },
    errors: [400],
  }),
  removeIdentityAlias: operation({
    method: "DELETE",
    path: "/api/v1/identity-aliases/{alias}",
    permission: "identities.manage",
    summary: "Remove an alias (admin)",
    params: AliasParams,
    responses: { "204": { description: "Removed" } },
    errors: [404],
  }),
  listDomainMappings: operation({
    method: "GET",
    path: "/api/v1/domain-mappings",
    permission: "identities.read",
    summary: "NetBIOS domain → UPN suffix mappings (any role)",
    responses: { "200": { description: "Mappings" } },
  }),
  addDomainMapping: operation({
    method: "POST",
    path: "/api/v1/domain-mappings",
    permission: "identities.manage",
    summary: "Map a NetBIOS domain to a UPN suffix; past DOMAIN\\user sessions move to user@suffix (admin)",
    body: DomainMappingSchema,
    responses: { "201": { description: "Created" } },
    errors: [400, 409],
  }),
  previewDomainMapping: operation({
    method: "GET",
    path: "/api/v1/domain-mappings/preview",
    permission: "identities.read",
    summary: "What mapping this domain would merge: { identities, sessions, alerts } (nothing changes)",
    query: DomainMappingSchema,
    responses: { "200": { description: "{ identities, sessions, alerts }" } },
    errors: [400],
  }),
  suggestDomainMappings: operation({
    method: "GET",
    path: "/api/v1/domain-mappings/suggestions",
    permission: "identities.read",
    summary:
      "NetBIOS domains seen in DOMAIN\\user identities that no mapping covers: { items: [{ netbiosDomain, identities }] }",
    responses: { "200": { description: "{ items }" } },
  }),
  removeDomainMapping: operation({
    method: "DELETE",
    path: "/api/v1/domain-mappings/{domain}",
    permission: "identities.manage",
    summary: "Remove a domain mapping (admin)",
    params: DomainParams,
    responses: { "204": { description: "Removed" } },
    errors: [404],
  }),
  listAlerts: operation({
    method: "GET",
    path: "/api/v1/alerts",
    permission: "alerts.read",
    summary: "Alerts, newest first, with counts by status and by severity under the other filters (any role)",
    query: AlertQuerySchema,
    responses: {
      "200": {
        description: "Alerts",
        ...list(ref("Alert"), {
          nextCursor,
          counts: {
            type: "object",
            description:
              "{ status: { new, in_progress, resolved, dismissed }, severity: { low, medium, high, critical } }",
          },
        }),
      },
    },
    errors: [400],
  }),
  triageAlerts: operation({
    method: "PATCH",
    path: "/api/v1/alerts",
    permission: "alerts.triage",
    summary:
      "Bulk triage: set the status and/or assignee of many alerts with one comment; each alert noted and audited (analyst, admin)",
    body: AlertBulkUpdateSchema,
    responses: {
      "200": {
        description: "What changed, and why the others did not",
        ...json({
          type: "object",
          properties: {
            updated: { type: "array", items: { type: "string" } },
            skipped: {
              type: "array",
              items: { type: "object", properties: { id: { type: "string" }, reason: { type: "string" } } },
            },
          },
        }),
      },
    },
    errors: [400],
  }),
  listExclusions: operation({
    method: "GET",
    path: "/api/v1/exclusions",
    permission: "alerts.read",
    summary: "Detection exclusions, with how many findings each suppressed (any role)",
    responses: { "200": { description: "Exclusions", ...list(ref("Exclusion")) } },
  }),
  createExclusion: operation({
    method: "POST",
    path: "/api/v1/exclusions",
    permission: "exclusions.write",
    summary:
      "Exclude a known case from one rule or all: by identity, IP/CIDR, country and/or NAS (all given must match), with a reason and an optional expiry; audited (analyst, admin)",
    body: ExclusionCreateSchema,
    responses: { "201": { description: "Created", ...json(ref("Exclusion")) } },
    errors: [400],
  }),
  deleteExclusion: operation({
    method: "DELETE",
    path: "/api/v1/exclusions/{id}",
    permission: "exclusions.write",
    summary: "Remove an exclusion; audited (analyst, admin)",
    params: IdParams,
    responses: { "204": { description: "Removed" } },
    errors: [404],
  }),
  getAlert: operation({
    method: "GET",
    path: "/api/v1/alerts/{id}",
    permission: "alerts.read",
    summary: "An alert with its evidence and triage notes (any role)",
    params: AlertIdParams,
    responses: { "200": { description: "Alert", ...json(ref("Alert")) } },
    errors: [404],
  }),
  triageAlert: operation({
    method: "PATCH",
    path: "/api/v1/alerts/{id}",
    permission: "alerts.triage",
    summary:
      "Triage: New → In progress → Resolved or Dismissed, assign (assignee: email or null), comment; audited (analyst, admin)",
    params: AlertIdParams,
    body: AlertUpdateSchema,
    responses: { "200": { description: "Updated alert" } },
    errors: [400, 404, 409],
  }),
  getAlertForwarding: operation({
    method: "GET",
    path: "/api/v1/settings/alert-forwarding",
    permission: "vpn.read",
    summary: "Alert forwarding targets and recent deliveries, never the webhook secret (any role)",
    responses: { "200": { description: "Settings" } },
  }),
  putAlertForwarding: operation({
    method: "PUT",
    path: "/api/v1/settings/alert-forwarding",
    permission: "alertForwarding.write",
    summary: "Configure syslog (CEF over RFC 5424, UDP/TCP) and the HMAC-SHA256-signed JSON webhook (admin)",
    body: ForwardingSettingsSchema,
    responses: { "200": { description: "Saved" } },
    errors: [400],
  }),
  testAlertForwarding: operation({
    method: "POST",
    path: "/api/v1/settings/alert-forwarding/test",
    permission: "alertForwarding.write",
    summary: "Send a test alert to every enabled target now (admin)",
    responses: { "200": { description: "{ results: [{ target, ok, error? }] }" } },
    errors: [400],
  }),
  listHealthIssues: operation({
    method: "GET",
    path: "/api/v1/health-issues",
    permission: "vpn.read",
    summary:
      "Health issues (ingestion failures, silent RADIUS clients, sensors not reporting, spool in use, records set aside, directory sync failing): open ones oldest first, closed ones newest first (any role)",
    query: HealthIssueQuerySchema,
    responses: { "200": { description: "Health issues", ...list(ref("HealthIssue")) } },
    errors: [400],
  }),
  getHealthSettings: operation({
    method: "GET",
    path: "/api/v1/settings/health",
    permission: "vpn.read",
    summary: "The health checks' thresholds (any role)",
    responses: { "200": { description: "Settings", ...json(ref("HealthSettings")) } },
  }),
  putHealthSettings: operation({
    method: "PUT",
    path: "/api/v1/settings/health",
    permission: "vpn.write",
    summary: "Set how long a RADIUS client may stay silent before a health issue opens (admin, audited)",
    body: HealthSettingsSchema,
    responses: { "200": { description: "Saved", ...json(ref("HealthSettings")) } },
    errors: [400],
  }),
  listNasSources: operation({
    method: "GET",
    path: "/api/v1/nas-sources",
    permission: "vpn.read",
    summary:
      "Every address that sent RADIUS to a sensor in the last 7 days: accepted, Status-Server, dropped by reason, last packet, the vendor detected, the RADIUS client it matches (any role)",
    query: NasSourcesQuerySchema,
    responses: { "200": { description: "Sources", ...list(ref("NasSource")) } },
    errors: [400],
  }),
  listSensors: operation({
    method: "GET",
    path: "/api/v1/sensors",
    permission: "vpn.read",
    summary:
      "Sensors and their last heartbeat counters; replication: how far the read replica (DATABASE_READ_URL) trails the primary, null without one (any role)",
    responses: { "200": { description: "Sensors" } },
  }),
  getDirectory: operation({
    method: "GET",
    path: "/api/v1/directory",
    permission: "identities.read",
    summary: "The Active Directory connection and the last sync, never the bind password (any role)",
    responses: { "200": { description: "Directory settings", ...json(ref("DirectorySettings")) } },
  }),
  putDirectory: operation({
    method: "PUT",
    path: "/api/v1/directory",
    permission: "identities.manage",
    summary: "Configure the Active Directory connection; bindPassword left out keeps the stored one (admin, audited)",
    body: DirectorySettingsUpdateSchema,
    responses: { "200": { description: "Saved", ...json(ref("DirectorySettings")) } },
    errors: [400],
  }),
  testDirectory: operation({
    method: "POST",
    path: "/api/v1/directory/test",
    permission: "identities.manage",
    summary:
      "Test the saved connection: connect, bind, read the domain's names, count users; each step in words (admin)",
    responses: {
      "200": {
        description: "{ ok, steps: [{ name, ok, message }] }",
        ...json({
          type: "object",
          properties: {
            ok: { type: "boolean" },
            steps: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  name: { type: "string", enum: ["connect", "bind", "domain", "users"] },
                  ok: { type: "boolean" },
                  message: { type: "string" },
                },
              },
            },
          },
        }),
      },
    },
    errors: [400],
  }),
  syncDirectory: operation({
    method: "POST",
    path: "/api/v1/directory/sync",
    permission: "identities.manage",
    summary:
      "Sync now: read every account of the directory and answer when done with the outcome (lastSync); a failure changes no account (admin)",
    responses: {
      "200": { description: "The sync's outcome", ...json(ref("LastSync")) },
    },
  }),
  listAudit: operation({
    method: "GET",
    path: "/api/v1/audit",
    permission: "audit.read",
    summary: "Audit log, newest first (admin)",
    query: AuditQuerySchema,
    responses: { "200": { description: "Entries" } },
    errors: [400],
  }),
};
