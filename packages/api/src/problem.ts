import type { ErrorCode } from '@wardstream/domain';

/**
 * RFC 9457 problem documents. Every error the API returns is one, with a stable `type`
 * (`urn:wardstream:problem:<slug>`) that clients can switch on, and `application/problem+json`.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  /** Extension member: the offending parameters, one entry each. */
  readonly errors?: readonly { readonly name: string; readonly reason: string }[];
}

export type ProblemSlug =
  | 'invalid-parameter'
  | 'invalid-body'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'limit-reached'
  | 'unavailable'
  | 'audit-unavailable'
  | 'corrupt-data'
  | 'internal-error';

const TITLES: Record<ProblemSlug, string> = {
  'invalid-parameter': 'A query or path parameter is invalid',
  'invalid-body': 'The request body is invalid',
  unauthorized: 'A valid bearer token is required',
  forbidden: 'The caller may not do this',
  'not-found': 'Not found',
  conflict: 'The request conflicts with the current state',
  'limit-reached': 'A limit was reached',
  unavailable: 'A component is unavailable',
  'audit-unavailable': 'The access could not be audited, so it was refused',
  'corrupt-data': 'Stored data failed its integrity check',
  'internal-error': 'Internal error',
};

export function problem(
  slug: ProblemSlug,
  status: number,
  detail: string,
  errors?: readonly { name: string; reason: string }[],
): Problem {
  return {
    type: `urn:wardstream:problem:${slug}`,
    title: TITLES[slug],
    status,
    detail,
    ...(errors === undefined ? {} : { errors }),
  };
}

/** One table from error code to HTTP status and problem type; exhaustive over ErrorCode. */
export function problemForCode(code: ErrorCode, detail: string): Problem {
  switch (code) {
    case 'NOT_FOUND':
      return problem('not-found', 404, detail);
    case 'CONFLICT':
      return problem('conflict', 409, detail);
    case 'INVALID_INPUT':
      return problem('invalid-body', 422, detail);
    case 'UNAVAILABLE':
    case 'CLOSED':
      return problem('unavailable', 503, detail);
    case 'CORRUPT':
      return problem('corrupt-data', 500, detail);
  }
}

/** A request failed validation; thrown by handlers and turned into a 400/422 problem. */
export class RequestProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'RequestProblem';
  }
}
