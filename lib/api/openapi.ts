// The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json. Paths, parameters and request bodies are
// generated from the operations (operations.ts): the schemas the door parses with. Responses are described there and
// in the components below.
import { SEVERITIES } from "../alerts/severity.ts";
import { z } from "zod";
import { ALERT_STATUSES } from "../alerts/status.ts";
import { ROLES } from "../auth/roles.ts";
import { RULES } from "../alerts/detections.ts";
import { HEALTH_KIND_IDS } from "../health/kinds.ts";
import { API_VENDORS } from "../radius/vendors.ts";
import type { Operation } from "./operation.ts";
import { OPERATIONS } from "./operations.ts";

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid input",
  401: "Missing or invalid credentials",
  403: "The caller's role does not allow this",
  404: "Not found",
  409: "Conflict",
  503: "The database is unreachable (code `unavailable`, header Retry-After): try again shortly",
};
const error = { $ref: "#/components/schemas/Error" };
const errorResponses = (codes: number[]) =>
  Object.fromEntries(
    [...new Set([...codes, 401, 403, 503])]
      .sort()
      .map((c) => [String(c), { description: ERROR_TEXT[c], content: { "application/json": { schema: error } } }]),
  );

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  [k: string]: unknown;
};

/** JSON Schema of what a caller sends (zod's input side), without the draft marker and regex noise. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  delete json.$schema;
  const tidy = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    if (o.format === "date-time") delete o.pattern; // the format says it
    Object.values(o).forEach(tidy);
  };
  tidy(json);
  return json;
}

function parameters(schema: z.ZodType | undefined, where: "path" | "query") {
  if (!schema) return [];
  const json = inputSchema(schema);
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      schema: rest,
      ...(description ? { description } : {}),
    };
  });
}

function describe(op: Operation) {
  const params = [...parameters(op.params, "path"), ...parameters(op.query, "query")];
  return {
    summary: op.summary,
    ...(params.length ? { parameters: params } : {}),
    ...(op.body
      ? { requestBody: { required: true, content: { "application/json": { schema: inputSchema(op.body) } } } }
      : {}),
    responses: { ...op.responses, ...errorResponses(op.errors ?? []) },
  };
}

function paths(operations: Operation[]) {
  const out: Record<string, Record<string, ReturnType<typeof describe>>> = {};
  for (const op of operations) (out[op.path] ??= {})[op.method.toLowerCase()] = describe(op);
  return out;
}

// Enumerations come from the tables the code itself validates against.
const role = { type: "string", enum: [...ROLES] };
const vendor = { type: "string", enum: [...API_VENDORS] };
const alertStatus = { type: "string", enum: [...ALERT_STATUSES] };
const alertRule = { type: "string", enum: Object.keys(RULES) };
const severity = { type: "string", enum: [...SEVERITIES] };
const time = { type: ["string", "null"], format: "date-time" };
/** The public IP's network owner (offline dataset, lib/geo/network.ts); null without a public IP or a known owner. */
const networkOwner = {
  asn: { type: ["integer", "null"], description: "The autonomous system of the public IP" },
  asOrganization: { type: ["string", "null"], description: "Who owns that autonomous system" },
  hosting: { type: ["boolean", "null"], description: "A hosting or cloud provider's network" },
};
/** Where a public IP is, as a session and a location list show it. */
const place = {
  countryCode: { type: ["string", "null"] },
  country: { type: ["string", "null"] },
  region: { type: ["string", "null"] },
  city: { type: ["string", "null"] },
  latitude: { type: ["number", "null"] },
  longitude: { type: ["number", "null"] },
};
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
  paths: paths(Object.values(OPERATIONS) as Operation[]),
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
          ...networkOwner,
          assignedIp: { type: ["string", "null"] },
          locationKind: { type: ["string", "null"], enum: ["geo", "private", "unknown", null] },
          location: {
            type: ["object", "null"],
            properties: place,
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
      DirectorySettings: {
        type: "object",
        properties: {
          enabled: { type: "boolean" },
          urls: { type: "array", items: { type: "string" } },
          startTls: { type: "boolean" },
          bindUser: { type: "string" },
          passwordConfigured: { type: "boolean" },
          baseDn: { type: "string" },
          userFilter: { type: ["string", "null"] },
          caCertificate: { type: ["string", "null"] },
          skipTlsVerify: { type: "boolean" },
          syncIntervalMinutes: { type: "integer" },
          extraSensitiveGroups: { type: "array", items: { type: "string" } },
          sensitiveAccounts: { type: "array", items: { type: "string" } },
          lastSync: { oneOf: [{ $ref: "#/components/schemas/LastSync" }, { type: "null" }] },
        },
      },
      AccountContext: {
        type: "object",
        description: "The directory account behind an identity (all null/false when it is not in the directory)",
        properties: {
          inDirectory: { type: "boolean" },
          displayName: { type: ["string", "null"] },
          title: { type: ["string", "null"] },
          department: { type: ["string", "null"] },
          accountState: { type: ["string", "null"], enum: ["enabled", "disabled", "locked", "expired", null] },
          sensitive: { type: "boolean" },
          sensitiveReason: { type: ["string", "null"] },
        },
      },
      LastSync: {
        type: "object",
        properties: {
          at: { type: "string", format: "date-time" },
          durationMs: { type: "integer" },
          added: { type: "integer" },
          changed: { type: "integer" },
          removed: { type: "integer" },
          error: { type: ["string", "null"], description: "What failed, in words; the accounts read before stay" },
          full: { type: "boolean", description: "Every account read (else only changes since the last sync)" },
          moved: { type: "integer", description: "Names whose history moved to their account's identity" },
        },
      },
      Location: {
        type: "object",
        properties: {
          kind: { type: "string", enum: ["geo", "private", "unknown"] },
          ...place,
          firstSeen: { type: "string", format: "date-time" },
          lastSeen: { type: "string", format: "date-time" },
          sessions: { type: "integer" },
          publicIps: { type: "array", items: { type: "string" } },
          familiarity: {
            type: "string",
            enum: ["usual", "new"],
            description: "new: first seen (in the retained history) within the range; usual: seen before it",
          },
        },
      },
      Alert: {
        type: "object",
        properties: {
          id: { type: "string" },
          rule: alertRule,
          severity,
          status: alertStatus,
          title: { type: "string" },
          rules: {
            type: "array",
            items: alertRule,
            description: "Every rule that fired on the alert's session (one incident), the alert's rule first",
          },
          identity: { type: "string" },
          assignee: {
            type: ["object", "null"],
            properties: { email: { type: "string" }, name: { type: ["string", "null"] } },
          },
          occurredAt: { type: "string", format: "date-time" },
          createdAt: { type: "string", format: "date-time" },
          updatedAt: { type: "string", format: "date-time" },
          occurrences: { type: "integer" },
          sessions: {
            type: "array",
            description:
              "The sessions the alert is about: the one that raised it (trigger), the other of a pair (previous, concurrent), repeats",
            items: {
              type: "object",
              properties: {
                sessionKey: { type: "string" },
                role: { type: "string", enum: ["trigger", "previous", "concurrent", "repeat"] },
                startedAt: { type: ["string", "null"], format: "date-time" },
                endedAt: { type: ["string", "null"], format: "date-time" },
                durationSeconds: { type: ["integer", "null"] },
                status: { type: ["string", "null"] },
                publicIp: { type: ["string", "null"] },
                location: { type: "string" },
                countryCode: { type: ["string", "null"] },
                latitude: { type: ["number", "null"] },
                longitude: { type: ["number", "null"] },
                nas: { type: ["string", "null"], description: "NAS-IP-Address, NAS-Identifier or the NAS's address" },
                ...networkOwner,
                vendor: { type: ["string", "null"] },
                inputBytes: { type: ["string", "null"] },
                outputBytes: { type: ["string", "null"] },
              },
            },
          },
          excludedBy: {
            oneOf: [{ $ref: "#/components/schemas/Exclusion" }, { type: "null" }],
            description: "An exclusion in force that covers this alert's session (made after it was raised)",
          },
          evidence: {
            type: "object",
            description:
              "summary, the session, baseline countries, distance and speed…; also: the other rules' findings",
          },
        },
      },
      HealthIssue: {
        type: "object",
        properties: {
          id: { type: "string" },
          kind: { type: "string", enum: HEALTH_KIND_IDS },
          status: { type: "string", enum: ["open", "closed"] },
          subject: { type: "string", description: 'The NAS address, sensor id or "directory" it is about' },
          message: { type: "string" },
          openedAt: { type: "string", format: "date-time" },
          closedAt: { type: ["string", "null"], format: "date-time" },
        },
      },
      HealthSettings: {
        type: "object",
        properties: { silentClientMinutes: { type: "integer", minimum: 5, maximum: 43200 } },
      },
      NasSource: {
        type: "object",
        properties: {
          source: { type: "string", description: "The address packets came from" },
          client: { type: ["string", "null"], description: "The RADIUS client covering it" },
          vendor: { type: ["string", "null"], description: "Detected in its last accepted accounting" },
          accepted: { type: "integer" },
          statusServer: { type: "integer" },
          dropped: { type: "object", additionalProperties: { type: "integer" }, description: "By reason" },
          lastPacketAt: { type: "string", format: "date-time" },
          lastAcceptedAt: { type: ["string", "null"], format: "date-time" },
          lastDroppedAt: { type: ["string", "null"], format: "date-time" },
        },
      },
      Exclusion: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          rule: { type: ["string", "null"], enum: [...Object.keys(RULES), null], description: "null: every rule" },
          identity: { type: ["string", "null"] },
          ipBlock: { type: ["string", "null"] },
          countryCode: { type: ["string", "null"] },
          nas: { type: ["string", "null"] },
          reason: { type: "string" },
          description: { type: "string" },
          expiresAt: { type: ["string", "null"], format: "date-time" },
          active: { type: "boolean" },
          fromAlertId: { type: ["string", "null"] },
          createdBy: { type: "string" },
          createdAt: { type: "string", format: "date-time" },
          suppressed: { type: "integer", description: "Findings it kept from becoming alerts" },
          lastSuppressedAt: { type: ["string", "null"], format: "date-time" },
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
