import type { IncomingMessage, ServerResponse } from 'node:http';

export type Body =
  { readonly kind: 'text'; readonly text: string } | { readonly kind: 'too-large' } | { readonly kind: 'aborted' };

/**
 * The request body as text; `too-large` as soon as it exceeds `limitBytes` (declared or streamed).
 * The rest of a body too large is read and dropped, not left unread: closing a socket with unread
 * data resets the connection, and the client would lose the 413 that tells it why.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Body> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    return Promise.resolve({ kind: 'too-large' });
  }
  // A client that goes away mid-body is not a fault of ours; nothing is left to answer.
  req.on('error', () => undefined);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (body: Body) => {
      req.off('data', onData).off('end', onEnd).off('close', onAborted);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
      else done({ kind: 'too-large' });
    };
    const onEnd = () => {
      done({ kind: 'text', text: Buffer.concat(chunks).toString('utf8') });
    };
    const onAborted = () => {
      done({ kind: 'aborted' });
    };
    req.on('data', onData).on('end', onEnd).on('close', onAborted);
  });
}

/** Sends `body` as JSON with `status`; `problem` sets the RFC 9457 media type. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  options: { readonly problem?: boolean; readonly close?: boolean; readonly headers?: Record<string, string> } = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': options.problem === true ? 'application/problem+json' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    // A refused request may leave an unread body behind: the connection is not reused after it.
    ...(options.close === true ? { connection: 'close' } : {}),
    ...options.headers,
  });
  res.end(text);
}

/** The host name of the request's `Host` header (no port, IPv6 without brackets), or null when absent or odd. */
export function requestHostName(req: IncomingMessage): string | null {
  const host = req.headers.host;
  if (host === undefined) return null;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]{1,253}))(?::\d{1,5})?$/.exec(host);
  return match === null ? null : (match[1] ?? match[2] ?? null);
}
