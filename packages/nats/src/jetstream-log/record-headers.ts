import { headers, type MsgHdrs } from '@nats-io/transport-node';

/** JetStream's deduplication header: the server drops a second message with an id it remembers. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';
/** The append request's content hash, to tell a re-send (same hash) from a conflict. */
export const CONTENT_HASH_HEADER = 'Ws-Content-Hash';

/** The idempotency key of a record as stored in its message headers. */
export interface RecordKey {
  readonly deviceId: string;
  readonly boot: string;
  readonly seq: number;
}

/**
 * The message id of (deviceId, boot, seq): `<deviceId>:<boot>:<seq>` with both ids
 * percent-encoded (UTF-8), so a `:` inside an id cannot make two keys collide, and the header
 * stays ASCII and readable in `nats stream view`. The record's key is read back from it.
 */
export function messageId(deviceId: string, boot: string, seq: number): string {
  return `${encodeURIComponent(deviceId)}:${encodeURIComponent(boot)}:${seq}`;
}

/** Encodes a content hash exactly (`-0` included, since hashes are compared with `Object.is`). */
export function encodeContentHash(contentHash: number): string {
  return Object.is(contentHash, -0) ? '-0' : String(contentHash);
}

/** The headers of one record's message. */
export function recordHeaders(contentHash: number): MsgHdrs {
  const h = headers();
  h.set(CONTENT_HASH_HEADER, encodeContentHash(contentHash));
  return h;
}

/** The key and content hash carried by a stored message, or a reason why they cannot be read. */
export function readRecordHeaders(
  h: MsgHdrs | undefined,
): { readonly key: RecordKey; readonly contentHash: number } | { readonly problem: string } {
  if (h === undefined) return { problem: 'message has no headers' };
  const id = h.get(MSG_ID_HEADER);
  const parts = id.split(':');
  const [device, boot, seqText] = parts;
  if (parts.length !== 3 || device === undefined || boot === undefined || seqText === undefined) {
    return { problem: `malformed ${MSG_ID_HEADER} "${id}"` };
  }
  const seq = Number(seqText);
  if (!/^\d+$/.test(seqText) || !Number.isSafeInteger(seq)) return { problem: `malformed seq in "${id}"` };
  const hashText = h.get(CONTENT_HASH_HEADER);
  const contentHash = Number(hashText);
  if (hashText === '' || !Number.isFinite(contentHash)) return { problem: `malformed ${CONTENT_HASH_HEADER}` };
  try {
    return { key: { deviceId: decodeURIComponent(device), boot: decodeURIComponent(boot), seq }, contentHash };
  } catch {
    return { problem: `malformed ids in "${id}"` };
  }
}
