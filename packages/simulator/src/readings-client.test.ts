import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchStoredReadings, ReadingsApiError, type ReadingsQuery } from './readings-client.js';

/** A fetch that answers from a table of URL → response, recording what was asked. */
function fakeFetch(pages: Record<string, { status?: number; body: unknown }>): {
  fetch: typeof fetch;
  asked: string[];
} {
  const asked: string[] = [];
  const f = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    asked.push(`${url} ${JSON.stringify(init?.headers ?? {})}`);
    const page = pages[new URL(url).pathname + new URL(url).search];
    if (page === undefined) return Promise.resolve(new Response('not found', { status: 404 }));
    return Promise.resolve(new Response(JSON.stringify(page.body), { status: page.status ?? 200 }));
  };
  return { fetch: f, asked };
}

const BASE: Omit<ReadingsQuery, 'fetch'> = {
  apiUrl: 'http://api.test:8080/',
  deviceIds: ['sim-0001', 'sim-0002'],
  fromAt: 0,
  toAt: 1000,
  timeFormat: 'ms',
};

test('readings are paged with the cursor of each page, per device', async () => {
  const path = '/api/v1/devices/sim-0001/readings?from=0&to=1000&limit=10000';
  const { fetch, asked } = fakeFetch({
    [path]: { body: { readings: [{ seq: 1, boot: 'b', code: 'A', value: 1 }], next: 'p2' } },
    [`${path}&cursor=p2`]: { body: { readings: [{ seq: 2, code: 'A' }] } },
  });
  const result = await fetchStoredReadings({ ...BASE, fetch, token: 't0ken' });
  assert.deepEqual(result.readings, [
    { deviceId: 'sim-0001', boot: 'b', seq: 1, code: 'A' },
    { deviceId: 'sim-0001', boot: '', seq: 2, code: 'A' },
  ]);
  assert.deepEqual(result.unknownDevices, ['sim-0002']);
  assert.equal(asked.length, 3);
  assert.match(asked[0] ?? '', /"authorization":"Bearer t0ken"/);
});

test('a bad answer, an HTTP error, or a repeating cursor is an error, not an empty store', async () => {
  const path = '/api/v1/devices/sim-0001/readings?from=0&to=1000&limit=10000';
  const one = { ...BASE, deviceIds: ['sim-0001'] };
  const cases: [Record<string, { status?: number; body: unknown }>, RegExp][] = [
    [{ [path]: { body: { rows: [] } } }, /did not answer \{readings/],
    [{ [path]: { body: { readings: [{ code: 'A' }] } } }, /lacks seq or code/],
    [{ [path]: { status: 401, body: { error: 'no token' } } }, /answered 401/],
    [
      {
        [path]: { body: { readings: [], next: 'x' } },
        [`${path}&cursor=x`]: { body: { readings: [], next: 'x' } },
      },
      /cursor "x" repeats/,
    ],
  ];
  for (const [pages, message] of cases) {
    await assert.rejects(fetchStoredReadings({ ...one, fetch: fakeFetch(pages).fetch }), (e: unknown) => {
      return e instanceof ReadingsApiError && message.test(e.message);
    });
  }
});
