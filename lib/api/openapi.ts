// The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.
// Later features add their paths here, behind the same door (lib/api/door.ts).
import { ALERT_STATUSES } from "../alert-status.ts";
import { ROLES } from "../auth/roles.ts";
import { RULES } from "../detections.ts";
import { IDENTITY_SORTS, LOCATION_RANGES } from "../identities.ts";
import { API_VENDORS } from "../vendors.ts";

const error = { $ref: "#/components/schemas/Error" };
// Any route may answer 503 while the database is unreachable.
const errorResponses = (...codes: number[]) =>
  Object.fromEntries(
    [...codes, 503].map((c) => [
      String(c),
      { description: ERROR_TEXT[c], content: { "application/json": { schema: error } } },
    ]),
  );
const ERROR_TEXT: Record<number, string> = {
  400: "Invalid input",
  401: "Missing or invalid credentials",
  403: "The caller's role does not allow this",
  404: "Not found",
  409: "Conflict",
  503: "The database is unreachable (code `unavailable`, header Retry-After): try again shortly",
};
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const idPath = [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }];
const idPathString = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];
// Enumerations come from the tables the code itself validates against, so the document cannot drift.
const role = { type: "string", enum: [...ROLES] };
const vendor = { type: "string", enum: [...API_VENDORS] };
const alertStatus = { type: "string", enum: [...ALERT_STATUSES] };
const alertRule = { type: "string", enum: Object.keys(RULES) };
const severity = { type: "string", enum: [...new Set(Object.values(RULES).map((r) => r.severity))] };
const secret = {
  type: "string",
  minLength: 16,
  maxLength: 128,
  description: "Printable ASCII, no leading or trailing space. Write-only.",
};
const time = { type: ["string", "null"], format: "date-time" };
const certificateBinding = {
  type: ["string", "null"],
  maxLength: 255,
  description:
    "RadSec: the certificate this client must present, a SHA-256 fingerprint (hex, colons optional) or a subject CN / subjectAltName; null accepts any certificate the client CA signed.",
};

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "VPN Sight API",
    version: "1",
    description:
      "Bearer tokens (`Authorization: Bearer vps_…`) carry a role: admin, analyst or viewer. Errors are `{ error: { code, message } }`.",
  },
  servers: [{ url: "/" }],
  security: [{ bearer: [] }],
  paths: {
    "/api/v1/settings/vpn": {
      get: {
        summary: "RADIUS accounting settings (any role)",
        responses: { "200": { description: "Settings", ...json(ref("VpnSettings")) }, ...errorResponses(401, 403) },
      },
      put: {
        summary: "Enable/disable accounting and set or rotate the shared secret (admin)",
        requestBody: { required: true, ...json(ref("VpnSettingsUpdate")) },
        responses: {
          "200": { description: "Saved settings", ...json(ref("VpnSettings")) },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    "/api/v1/settings/radsec": {
      get: {
        summary: "RadSec (RADIUS over TLS): the client CA and each sensor's listener (any role)",
        responses: {
          "200": { description: "RadSec settings", ...json(ref("RadsecSettings")) },
          ...errorResponses(401, 403),
        },
      },
      put: {
        summary:
          "Upload (PEM) or remove (null) the CA that signs RadSec clients' certificates (admin); sensors follow within a second",
        requestBody: { required: true, ...json(ref("RadsecSettingsUpdate")) },
        responses: {
          "200": { description: "Saved", ...json(ref("RadsecSettings")) },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    "/api/v1/sensors/{sensorId}/radsec-certificate": {
      get: {
        summary: "A sensor's RadSec server certificate (PEM), to configure a proxy or NAS with (any role)",
        parameters: [{ name: "sensorId", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": {
            description: "PEM certificate",
            content: { "application/x-pem-file": { schema: { type: "string" } } },
          },
          ...errorResponses(401, 403, 404),
        },
      },
    },
    "/api/v1/radius-clients": {
      get: {
        summary: "RADIUS clients (any role)",
        responses: {
          "200": {
            description: "Clients",
            ...json({ type: "object", properties: { items: { type: "array", items: ref("RadiusClient") } } }),
          },
          ...errorResponses(401, 403),
        },
      },
      post: {
        summary: "Add a RADIUS client (admin)",
        requestBody: { required: true, ...json(ref("RadiusClientCreate")) },
        responses: {
          "201": { description: "Created", ...json(ref("RadiusClient")) },
          ...errorResponses(400, 401, 403, 409),
        },
      },
    },
    "/api/v1/radius-clients/{id}": {
      patch: {
        summary: "Change a RADIUS client; a new sharedSecret rotates, null removes the own secret (admin)",
        parameters: idPath,
        requestBody: { required: true, ...json(ref("RadiusClientUpdate")) },
        responses: {
          "200": { description: "Updated", ...json(ref("RadiusClient")) },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
      delete: {
        summary: "Remove a RADIUS client (admin)",
        parameters: idPath,
        responses: { "204": { description: "Removed" }, ...errorResponses(401, 403, 404) },
      },
    },
    "/api/v1/users": {
      get: {
        summary: "Users (admin)",
        responses: {
          "200": {
            description: "Users",
            ...json({ type: "object", properties: { items: { type: "array", items: ref("User") } } }),
          },
          ...errorResponses(401, 403),
        },
      },
      post: {
        summary: "Create a user (admin)",
        requestBody: {
          required: true,
          ...json({
            type: "object",
            required: ["email", "role", "password"],
            properties: {
              email: { type: "string" },
              name: { type: "string" },
              role,
              password: { type: "string", minLength: 12 },
            },
          }),
        },
        responses: { "201": { description: "Created", ...json(ref("User")) }, ...errorResponses(400, 401, 403, 409) },
      },
    },
    "/api/v1/users/{id}": {
      patch: {
        summary:
          "Change role, disable, rename or set the password of a user (a new password ends the user's sessions); the last active admin cannot be demoted or disabled (admin)",
        parameters: idPath,
        requestBody: {
          required: true,
          ...json({
            type: "object",
            properties: {
              role,
              disabled: { type: "boolean" },
              name: { type: "string" },
              password: { type: "string", minLength: 12, description: "Write-only." },
            },
          }),
        },
        responses: { "200": { description: "Updated", ...json(ref("User")) }, ...errorResponses(400, 401, 403, 404) },
      },
    },
    "/api/v1/account/password": {
      post: {
        summary:
          "Change the signed-in user's own password (any role; a session, not an API token): every session signed in before ends",
        requestBody: {
          required: true,
          ...json({
            type: "object",
            required: ["currentPassword", "newPassword"],
            properties: { currentPassword: { type: "string" }, newPassword: { type: "string", minLength: 12 } },
          }),
        },
        responses: { "204": { description: "Changed; sign in again" }, ...errorResponses(400, 401, 403) },
      },
    },
    "/api/v1/account/sessions": {
      delete: {
        summary:
          "Sign out everywhere: end every portal session of the signed-in user, this one included (a session, not an API token)",
        responses: {
          "200": {
            description: "Sessions ended",
            ...json({ type: "object", properties: { ended: { type: "integer" } } }),
          },
          ...errorResponses(401, 403),
        },
      },
    },
    "/api/v1/tokens": {
      get: {
        summary: "API tokens, without the token values (admin)",
        responses: { "200": { description: "Tokens" }, ...errorResponses(401, 403) },
      },
      post: {
        summary:
          "Create an API token; the token is in this response only (admin). It belongs to its creator (for a token, that token's owner): it acts with the lower of its role and the owner's, and stops when the owner is disabled",
        requestBody: {
          required: true,
          ...json({
            type: "object",
            required: ["name", "role"],
            additionalProperties: false,
            properties: {
              name: { type: "string", maxLength: 100 },
              role,
              expiresInDays: {
                type: ["integer", "null"],
                minimum: 1,
                maximum: 3650,
                default: 90,
                description: "null: never expires",
              },
            },
          }),
        },
        responses: {
          "201": { description: "Created; `token` holds the secret value" },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    "/api/v1/tokens/{id}": {
      delete: {
        summary: "Revoke an API token (admin)",
        parameters: idPath,
        responses: { "204": { description: "Revoked" }, ...errorResponses(401, 403, 404) },
      },
    },
    "/api/v1/vpn-sessions": {
      get: {
        summary: "VPN sessions, newest first (any role)",
        parameters: [
          {
            name: "identity",
            in: "query",
            schema: { type: "string" },
            description: "primary identity (lowercase UPN)",
          },
          {
            name: "since",
            in: "query",
            schema: { type: "string", format: "date-time" },
            description: "sessions started at or after",
          },
          {
            name: "until",
            in: "query",
            schema: { type: "string", format: "date-time" },
            description: "sessions started before",
          },
          { name: "status", in: "query", schema: { type: "string", enum: ["open", "closed", "stale"] } },
          { name: "nas", in: "query", schema: { type: "string" }, description: "NAS-IP-Address or NAS-Identifier" },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000, default: 50 } },
          { name: "cursor", in: "query", schema: { type: "string" }, description: "nextCursor of the previous page" },
        ],
        responses: {
          "200": {
            description: "A page of sessions",
            ...json({
              type: "object",
              properties: {
                items: { type: "array", items: ref("VpnSession") },
                nextCursor: { type: ["string", "null"] },
              },
            }),
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    "/api/v1/identities": {
      get: {
        summary:
          "Identities with last connection, last location, 30-day sessions and locations, online sessions (any role)",
        parameters: [
          { name: "q", in: "query", schema: { type: "string" }, description: "UPN, alias or DOMAIN\\user (substring)" },
          {
            name: "online",
            in: "query",
            schema: { type: "string", enum: ["1", "0"] },
            description: "only identities with open sessions",
          },
          { name: "sort", in: "query", schema: { type: "string", enum: [...IDENTITY_SORTS], default: "lastSeen" } },
          { name: "dir", in: "query", schema: { type: "string", enum: ["asc", "desc"], default: "desc" } },
          { name: "page", in: "query", schema: { type: "integer", minimum: 1, default: 1 } },
          { name: "pageSize", in: "query", schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
        ],
        responses: { "200": { description: "{ items, total, page, pageSize }" }, ...errorResponses(400, 401, 403) },
      },
    },
    "/api/v1/identities/{identity}": {
      get: {
        summary: "An identity's profile header: aliases, names as sent, online sessions, first/last seen (any role)",
        parameters: [
          {
            name: "identity",
            in: "path",
            required: true,
            schema: { type: "string" },
            description: "primary UPN, URL-encoded (bob%40contoso.com)",
          },
        ],
        responses: { "200": { description: "Profile" }, ...errorResponses(401, 403, 404) },
      },
    },
    "/api/v1/identities/{identity}/locations": {
      get: {
        summary: "Distinct VPN locations of an identity (any role)",
        parameters: [
          { name: "identity", in: "path", required: true, schema: { type: "string" } },
          { name: "days", in: "query", schema: { type: "integer", enum: LOCATION_RANGES, default: 30 } },
        ],
        responses: {
          "200": {
            description: "Locations",
            ...json({
              type: "object",
              properties: {
                items: {
                  type: "array",
                  items: {
                    type: "object",
                    properties: {
                      kind: { type: "string", enum: ["geo", "private", "unknown"] },
                      countryCode: { type: ["string", "null"] },
                      country: { type: ["string", "null"] },
                      region: { type: ["string", "null"] },
                      city: { type: ["string", "null"] },
                      latitude: { type: ["number", "null"] },
                      longitude: { type: ["number", "null"] },
                      firstSeen: { type: "string", format: "date-time" },
                      lastSeen: { type: "string", format: "date-time" },
                      sessions: { type: "integer" },
                      publicIps: { type: "array", items: { type: "string" } },
                    },
                  },
                },
              },
            }),
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    "/api/v1/identities/{identity}/activities": {
      get: {
        summary:
          "VPN activity timeline, newest first; format=csv streams the filtered timeline (at most 50,000 rows) (any role)",
        parameters: [
          { name: "identity", in: "path", required: true, schema: { type: "string" } },
          { name: "days", in: "query", schema: { type: "integer", minimum: 1, maximum: 180, default: 30 } },
          { name: "since", in: "query", schema: { type: "string", format: "date-time" } },
          { name: "until", in: "query", schema: { type: "string", format: "date-time" } },
          { name: "type", in: "query", schema: { type: "string", enum: ["start", "interim", "stop"] } },
          { name: "location", in: "query", schema: { type: "string" }, description: "geo|CC|City, private or unknown" },
          { name: "nas", in: "query", schema: { type: "string" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000, default: 50 } },
          { name: "cursor", in: "query", schema: { type: "string" } },
          { name: "format", in: "query", schema: { type: "string", enum: ["json", "csv"] } },
        ],
        responses: { "200": { description: "{ items, nextCursor } or text/csv" }, ...errorResponses(400, 401, 403) },
      },
    },
    "/api/v1/identity-aliases": {
      get: {
        summary: "Aliases (any role)",
        responses: { "200": { description: "Aliases" }, ...errorResponses(401, 403) },
      },
      post: {
        summary: "Attach an alternate UPN or DOMAIN\\user to an identity; past sessions move to it (admin)",
        requestBody: {
          required: true,
          ...json({
            type: "object",
            required: ["alias", "identity"],
            properties: { alias: { type: "string" }, identity: { type: "string" } },
          }),
        },
        responses: { "201": { description: "Created" }, ...errorResponses(400, 401, 403, 409) },
      },
    },
    "/api/v1/identity-aliases/{alias}": {
      delete: {
        summary: "Remove an alias (admin)",
        parameters: [{ name: "alias", in: "path", required: true, schema: { type: "string" } }],
        responses: { "204": { description: "Removed" }, ...errorResponses(401, 403, 404) },
      },
    },
    "/api/v1/domain-mappings": {
      get: {
        summary: "NetBIOS domain → UPN suffix mappings (any role)",
        responses: { "200": { description: "Mappings" }, ...errorResponses(401, 403) },
      },
      post: {
        summary: "Map a NetBIOS domain to a UPN suffix; past DOMAIN\\user sessions move to user@suffix (admin)",
        requestBody: {
          required: true,
          ...json({
            type: "object",
            required: ["netbiosDomain", "upnSuffix"],
            properties: { netbiosDomain: { type: "string" }, upnSuffix: { type: "string" } },
          }),
        },
        responses: { "201": { description: "Created" }, ...errorResponses(400, 401, 403, 409) },
      },
    },
    "/api/v1/domain-mappings/{domain}": {
      delete: {
        summary: "Remove a domain mapping (admin)",
        parameters: [{ name: "domain", in: "path", required: true, schema: { type: "string" } }],
        responses: { "204": { description: "Removed" }, ...errorResponses(401, 403, 404) },
      },
    },
    "/api/v1/alerts": {
      get: {
        summary: "Alerts, newest first (any role)",
        parameters: [
          { name: "identity", in: "query", schema: { type: "string" } },
          { name: "status", in: "query", schema: alertStatus },
          { name: "severity", in: "query", schema: severity },
          { name: "rule", in: "query", schema: alertRule },
          { name: "since", in: "query", schema: { type: "string", format: "date-time" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
          { name: "cursor", in: "query", schema: { type: "string" }, description: "nextCursor of the previous page" },
        ],
        responses: {
          "200": {
            description: "Alerts",
            ...json({
              type: "object",
              properties: {
                items: {
                  type: "array",
                  items: {
                    type: "object",
                    properties: {
                      id: { type: "string" },
                      rule: alertRule,
                      severity,
                      status: alertStatus,
                      identity: { type: "string" },
                      occurredAt: { type: "string", format: "date-time" },
                      createdAt: { type: "string", format: "date-time" },
                      evidence: {
                        type: "object",
                        description: "summary, the session, baseline countries, distance and speed…",
                      },
                    },
                  },
                },
                nextCursor: {
                  type: ["string", "null"],
                  description: "pass as cursor for the next (older) page; null on the last page",
                },
              },
            }),
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    "/api/v1/alerts/{id}": {
      get: {
        summary: "An alert with its evidence and triage notes (any role)",
        parameters: idPathString,
        responses: { "200": { description: "Alert" }, ...errorResponses(401, 403, 404) },
      },
      patch: {
        summary: "Triage: New → In progress → Resolved or Dismissed, with a comment; audited (analyst, admin)",
        parameters: idPathString,
        requestBody: {
          required: true,
          ...json({
            type: "object",
            required: ["status"],
            properties: { status: alertStatus, comment: { type: "string", maxLength: 2000 } },
          }),
        },
        responses: { "200": { description: "Updated alert" }, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    "/api/v1/settings/alert-forwarding": {
      get: {
        summary: "Alert forwarding targets and recent deliveries, never the webhook secret (any role)",
        responses: { "200": { description: "Settings" }, ...errorResponses(401, 403) },
      },
      put: {
        summary: "Configure syslog (CEF over RFC 5424, UDP/TCP) and the HMAC-SHA256-signed JSON webhook (admin)",
        requestBody: {
          required: true,
          ...json({
            type: "object",
            required: ["syslogEnabled", "webhookEnabled"],
            properties: {
              syslogEnabled: { type: "boolean" },
              syslogHost: { type: ["string", "null"] },
              syslogPort: { type: ["integer", "null"] },
              syslogProtocol: { type: "string", enum: ["udp", "tcp"] },
              webhookEnabled: { type: "boolean" },
              webhookUrl: { type: ["string", "null"] },
              webhookSecret: { type: "string", minLength: 16, description: "write-only" },
            },
          }),
        },
        responses: { "200": { description: "Saved" }, ...errorResponses(400, 401, 403) },
      },
    },
    "/api/v1/settings/alert-forwarding/test": {
      post: {
        summary: "Send a test alert to every enabled target now (admin)",
        responses: {
          "200": { description: "{ results: [{ target, ok, error? }] }" },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    "/api/v1/sensors": {
      get: {
        summary: "Sensors and their last heartbeat counters (any role)",
        responses: { "200": { description: "Sensors" }, ...errorResponses(401, 403) },
      },
    },
    "/api/v1/audit": {
      get: {
        summary: "Audit log, newest first (admin)",
        parameters: [
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
          { name: "before", in: "query", schema: { type: "string" }, description: "nextBefore of the previous page" },
        ],
        responses: { "200": { description: "Entries" }, ...errorResponses(400, 401, 403) },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    schemas: {
      Error: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["code", "message"],
            properties: { code: { type: "string" }, message: { type: "string" } },
          },
        },
      },
      VpnSettings: {
        type: "object",
        required: ["enabled", "secretConfigured", "secretUpdatedAt", "port"],
        properties: {
          enabled: { type: "boolean" },
          secretConfigured: { type: "boolean" },
          secretUpdatedAt: time,
          secretUpdatedBy: { type: ["string", "null"] },
          previousSecretExpiresAt: time,
          rotationGraceHours: { type: "integer" },
          port: { type: "integer" },
        },
      },
      VpnSettingsUpdate: {
        type: "object",
        required: ["enabled"],
        additionalProperties: false,
        properties: {
          enabled: { type: "boolean" },
          sharedSecret: secret,
          rotationGraceHours: { type: "integer", minimum: 0, maximum: 168 },
        },
      },
      RadiusClient: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          name: { type: "string" },
          address: { type: "string", description: "IP or CIDR" },
          vendor,
          requireMessageAuthenticator: { type: "boolean" },
          certificate: certificateBinding,
          ownSecretConfigured: { type: "boolean" },
          secretUpdatedAt: time,
          previousSecretExpiresAt: time,
        },
      },
      RadiusClientCreate: {
        type: "object",
        required: ["name", "address"],
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          address: { type: "string" },
          vendor,
          requireMessageAuthenticator: { type: "boolean" },
          certificate: certificateBinding,
          sharedSecret: secret,
        },
      },
      RadiusClientUpdate: {
        type: "object",
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          address: { type: "string" },
          vendor,
          requireMessageAuthenticator: { type: "boolean" },
          certificate: certificateBinding,
          sharedSecret: { ...secret, type: ["string", "null"] },
        },
      },
      RadsecSettings: {
        type: "object",
        properties: {
          clientCa: {
            type: "array",
            description:
              "The uploaded client CA certificates (empty: none uploaded; RADSEC_CA on a sensor may add one)",
            items: {
              type: "object",
              properties: {
                subject: { type: "string" },
                issuer: { type: "string" },
                fingerprint256: { type: "string" },
                validTo: { type: "string", format: "date-time" },
                ca: { type: "boolean" },
              },
            },
          },
          clientCaPem: { type: ["string", "null"] },
          sensors: {
            type: "array",
            items: {
              type: "object",
              properties: {
                sensorId: { type: "string" },
                online: { type: "boolean" },
                radsec: {
                  type: ["object", "null"],
                  description: "null: RADSEC_PORT=0 on that sensor",
                  properties: {
                    listening: { type: "boolean" },
                    port: { type: "integer" },
                    fingerprint256: { type: "string" },
                    certificateSource: { type: "string", enum: ["file", "generated"] },
                    clientCa: { type: ["string", "null"], enum: ["file", "portal", "file+portal", null] },
                    error: { type: ["string", "null"] },
                  },
                },
              },
            },
          },
        },
      },
      RadsecSettingsUpdate: {
        type: "object",
        required: ["clientCa"],
        additionalProperties: false,
        properties: {
          clientCa: {
            type: ["string", "null"],
            description: "PEM: one or more CA certificates, no private key; at most 256 KB",
          },
        },
      },
      VpnSession: {
        type: "object",
        properties: {
          id: { type: "string" },
          identity: { type: "string" },
          userName: { type: "string", description: "User-Name as sent" },
          vendor,
          nasIp: { type: ["string", "null"] },
          nasIdentifier: { type: ["string", "null"] },
          acctSessionId: { type: "string" },
          publicIp: { type: ["string", "null"] },
          assignedIp: { type: ["string", "null"] },
          locationKind: { type: ["string", "null"], enum: ["geo", "private", "unknown", null] },
          location: {
            type: ["object", "null"],
            properties: {
              countryCode: { type: ["string", "null"] },
              country: { type: ["string", "null"] },
              region: { type: ["string", "null"] },
              city: { type: ["string", "null"] },
              latitude: { type: ["number", "null"] },
              longitude: { type: ["number", "null"] },
            },
          },
          startedAt: { type: "string", format: "date-time" },
          lastUpdateAt: { type: "string", format: "date-time" },
          endedAt: time,
          durationSeconds: { type: ["integer", "null"] },
          inputBytes: { type: "string", description: "decimal, 64-bit" },
          outputBytes: { type: "string", description: "decimal, 64-bit" },
          terminateCause: { type: ["string", "null"] },
          status: { type: "string", enum: ["open", "closed", "stale"] },
        },
      },
      User: {
        type: "object",
        properties: {
          id: { type: "string" },
          email: { type: "string" },
          name: { type: ["string", "null"] },
          role,
          disabled: { type: "boolean" },
          createdAt: time,
          lastLoginAt: time,
        },
      },
    },
  },
} as const;
