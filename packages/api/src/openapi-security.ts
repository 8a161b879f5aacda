/** The security parts of the OpenAPI document: the bearer scheme, break-glass, and each route's access. */
import { policyOf, type RoutePolicy } from './access/route-policies.js';
import { body, ERRORS, json, param, problemResponse, type Schema } from './openapi-parts.js';

export const SECURITY_SCHEMES = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "An OIDC access token of the deployment's issuer (claims `roles`, `wards`). Live feeds also take it as `?access_token=`.",
  },
} as const;

const GRANT: Schema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    patientId: { type: 'string' },
    subject: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    reason: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
};

export const BREAK_GLASS_PATHS = {
  '/api/v1/break-glass': {
    post: {
      summary:
        "Break-glass: read one patient outside the caller's wards for a while (audited at high severity, notified)",
      requestBody: body({
        type: 'object',
        properties: {
          patientId: { type: 'string' },
          reason: { type: 'string', minLength: 10, maxLength: 500 },
          minutes: { type: 'integer', minimum: 1, maximum: 60, default: 30 },
        },
        required: ['patientId', 'reason'],
      }),
      responses: {
        '201': json('The grant', GRANT),
        '422': problemResponse('Invalid body (every problem listed in `errors`)'),
        '429': problemResponse('Too many active grants (in all, or of the caller)'),
        ...ERRORS,
      },
    },
    get: {
      summary: 'The active break-glass grants',
      responses: {
        '200': json('Grants', { type: 'object', properties: { grants: { type: 'array', items: GRANT } } }),
        ...ERRORS,
      },
    },
  },
} as const;

/** Who may call a route, in words, from its policy. */
function accessText(policy: RoutePolicy): string {
  if (policy.kind === 'public') return 'public (no token)';
  const parts: string[] = [...policy.anyWard];
  const wardNote = policy.target === 'list' ? 'filtered to their wards' : 'their wards only';
  if (policy.inWard.length > 0) parts.push(`${policy.inWard.join(', ')} (${wardNote})`);
  if (policy.breakGlass)
    parts.push(policy.action === 'read' ? 'break-glass holders' : 'care staff holding break-glass');
  return parts.join('; ');
}

const ACCESS_TOKEN = param(
  'access_token',
  'query',
  "The bearer token, for clients that cannot set headers (a browser's EventSource); not with an Authorization header",
);

type Operation = Record<string, unknown> & { readonly parameters?: readonly unknown[] };

/**
 * `paths` with each operation's access from the policy table: `x-wardstream-access` in words,
 * `security: []` on public routes, and the `access_token` parameter where a route takes it. Built
 * from the table, so the document cannot drift from what the guard enforces.
 */
export function withAccess<P extends Record<string, Record<string, Operation>>>(paths: P): P {
  const out: Record<string, Record<string, Operation>> = {};
  for (const [path, operations] of Object.entries(paths)) {
    const mounted = path.replace(/\{([A-Za-z]+)\}/g, ':$1');
    out[path] = Object.fromEntries(
      Object.entries(operations).map(([method, op]) => {
        const policy = policyOf(method, mounted);
        if (policy === undefined) return [method, op];
        const extra =
          policy.kind === 'public'
            ? { security: [] }
            : policy.queryToken
              ? { parameters: [...(op.parameters ?? []), ACCESS_TOKEN] }
              : {};
        return [method, { ...op, ...extra, 'x-wardstream-access': accessText(policy) }];
      }),
    );
  }
  return out as P;
}
