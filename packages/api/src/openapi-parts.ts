/** Building blocks of the OpenAPI document: references, responses and parameters. */
export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

export const json = (description: string, schema: Schema) => ({
  description,
  content: { 'application/json': { schema } },
});

export const sse = (description: string) => ({
  description,
  content: { 'text/event-stream': { schema: { type: 'string' } } },
});

export const param = (
  name: string,
  where: 'path' | 'query' | 'header',
  description: string,
  schema: Schema = { type: 'string' },
) => ({ name, in: where, required: where === 'path', description, schema });

export const body = (schema: Schema) => ({ required: true, content: { 'application/json': { schema } } });

export const ERRORS = {
  '400': problemResponse('Invalid parameter (every problem listed in `errors`)'),
  '401': problemResponse('No valid bearer token (`detail` is the reason: expired, wrong-audience, …)'),
  '403': problemResponse("The caller's roles or wards do not allow it"),
  '404': problemResponse('Not found'),
  '503': problemResponse('audit-unavailable: the access could not be audited, so it was refused'),
};
