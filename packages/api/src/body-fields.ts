import type { ParamErrors } from './params.js';

/** Who did it: `by`, `recordedBy`. Self-declared until the API authenticates its callers. */
const ACTOR = /^[A-Za-z0-9._@-]{1,64}$/;
const ACTOR_RULE = 'required, 1-64 of A-Z a-z 0-9 . _ - @';
const MAX_NOTE = 500;

/** A required actor field of a JSON body; '' (with an error added) when absent or malformed. */
export function actorField(body: Record<string, unknown>, name: string, errors: ParamErrors): string {
  const value = body[name];
  if (typeof value === 'string' && ACTOR.test(value)) return value;
  errors.add(name, ACTOR_RULE);
  return '';
}

/** The optional `note` of an alarm command: null when absent. */
export function noteField(body: Record<string, unknown>, errors: ParamErrors): string | null {
  const value = body['note'];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > MAX_NOTE) {
    errors.add('note', `must be a string of at most ${MAX_NOTE} characters`);
    return null;
  }
  return value;
}
