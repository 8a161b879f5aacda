import type { Session } from './auth.js';

/** An API answer other than 2xx, with the problem document's detail when there is one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET `path` as the session's user; throws ApiError (status 0: the network failed). */
export async function getJson<T>(session: Session, path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${session.token}`, accept: 'application/json' } });
  } catch (err) {
    throw new ApiError(0, `the server cannot be reached (${String(err)})`);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    const detail = typeof body['detail'] === 'string' ? body['detail'] : res.statusText;
    throw new ApiError(res.status, `${path}: ${res.status} ${detail}`);
  }
  return (await res.json()) as T;
}

/**
 * POST `body` as JSON to `path` as the session's user; answers the parsed body. Throws ApiError with
 * the problem document's detail (status 0: the network failed).
 */
export async function postJson<T>(session: Session, path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${session.token}`,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, `the server cannot be reached (${String(err)})`);
  }
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const detail = typeof answer['detail'] === 'string' ? answer['detail'] : res.statusText;
    throw new ApiError(res.status, detail);
  }
  return answer as T;
}
