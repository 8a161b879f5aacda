import type { ParamErrors } from './params.js';

/** Who did it: `by`, `recordedBy`: 1-64 of these, and the authenticated user's own name. */
const ACTOR = /^[A-Za-z0-9._@-]{1,64}$/;
const ACTOR_RULE = 'required, 1-64 of A-Z a-z 0-9 . _ - @';
const MAX_NOTE = 500;

/**
 * A required actor field of a JSON body, which must name the authenticated user (`subject`, the
 * token's `sub`): the clinical record says who acted, and nobody acts under another's name. ''
 * (with an error added) when absent, malformed or someone else.
 */
export function actorField(body: Record<string, unknown>, name: string, errors: ParamErrors, subject: string): string {
  const value = body[name];
  // The subject is authenticated, so its spelling is the issuer's business (it may fall outside ACTOR).
  if (typeof value === 'string' && value === subject) return value;
  if (typeof value !== 'string' || !ACTOR.test(value)) {
    errors.add(name, ACTOR_RULE);
    return '';
  }
  errors.add(name, `must be the authenticated user, "${subject.slice(0, 64)}"`);
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
