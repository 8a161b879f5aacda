import { apiHeaders } from './processes.js';

/** One server-sent event: its name (`message` when the server sent none) and its data lines joined. */
export interface SseEvent {
  readonly name: string;
  readonly data: string;
}

/**
 * Opens `url` and yields its server-sent events as they arrive, until the server ends the stream or
 * `signal` aborts (the generator then returns quietly). Throws when the answer is not 200.
 */
export async function* sseEvents(url: string, signal: AbortSignal): AsyncGenerator<SseEvent> {
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: apiHeaders() });
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  const reader = res.body?.getReader();
  if (reader === undefined) return;
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        yield parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    reader.releaseLock();
  }
}

function parseEvent(block: string): SseEvent {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
  }
  return { name, data: data.join('\n') };
}

/**
 * Follows a device's live feed and records publish → stored latency (the `readings` event of a
 * message's seq, against when it was sent) while `measuring()`; each seq counts once.
 */
export async function followLive(
  apiUrl: string,
  device: { readonly id: string; readonly sentAt: Map<number, number> },
  measuring: () => boolean,
  hist: { record(ms: number): void },
  stop: AbortSignal,
): Promise<void> {
  let lastSeq = 0;
  try {
    for await (const event of sseEvents(`${apiUrl}/api/v1/devices/${device.id}/live`, stop)) {
      if (event.name !== 'readings') continue;
      const now = performance.now();
      for (const r of JSON.parse(event.data) as { seq: number }[]) {
        if (r.seq <= lastSeq) continue;
        lastSeq = r.seq;
        const sentAt = device.sentAt.get(r.seq);
        device.sentAt.delete(r.seq);
        if (sentAt !== undefined && measuring()) hist.record(now - sentAt);
      }
    }
  } catch {
    // the platform went away: the samples taken so far stand
  }
}
