import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameReader, readFixedHeader } from './frame-reader.js';

const CONNECT = Buffer.from([0x10, 0x03, 0x01, 0x02, 0x03]);
const PINGREQ = Buffer.from([0xc0, 0x00]);

describe('FrameReader', () => {
  it('reads the Remaining Length variable byte integer [MQTT-1.5.5]', () => {
    assert.deepEqual(readFixedHeader(Buffer.from([0x30, 0x7f]), 0), { headerBytes: 2, remainingLength: 127 });
    assert.deepEqual(readFixedHeader(Buffer.from([0x30, 0x80, 0x01]), 0), { headerBytes: 3, remainingLength: 128 });
    assert.deepEqual(readFixedHeader(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), 0), {
      headerBytes: 5,
      remainingLength: 268_435_455,
    });
    assert.equal(readFixedHeader(Buffer.from([0x30, 0xff, 0xff]), 0), 'incomplete');
    assert.equal(readFixedHeader(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), 0), 'malformed');
  });

  it('splits packets that arrive together and joins a packet that arrives in pieces', () => {
    const reader = new FrameReader(1024);
    reader.push(Buffer.concat([CONNECT, PINGREQ.subarray(0, 1)]));
    assert.deepEqual(reader.next(), { kind: 'packet', bytes: CONNECT });
    assert.equal(reader.next().kind, 'incomplete');
    reader.push(PINGREQ.subarray(1));
    assert.deepEqual(reader.next(), { kind: 'packet', bytes: PINGREQ });
    assert.equal(reader.buffered, 0);
  });

  it('refuses an oversize packet from its header alone', () => {
    const reader = new FrameReader(1024);
    reader.push(CONNECT);
    reader.next();
    reader.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]));
    assert.deepEqual(reader.next(), { kind: 'oversize', declaredBytes: 268_435_460 });
  });

  it('refuses a first packet that is not CONNECT and reserved flag bits from the first byte', () => {
    const first = new FrameReader(1024);
    first.push(Buffer.from('GET / HTTP/1.1'));
    assert.equal(first.next().kind, 'malformed');
    const flags = new FrameReader(1024);
    flags.push(CONNECT);
    flags.next();
    flags.push(Buffer.from([0x82])); // SUBSCRIBE must carry flags 0010 … and does; 0x83 does not
    assert.equal(flags.next().kind, 'incomplete');
    const bad = new FrameReader(1024);
    bad.push(CONNECT);
    bad.next();
    bad.push(Buffer.from([0x83]));
    assert.equal(bad.next().kind, 'malformed');
  });
});
