import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameLength, readFrame, writeFrame } from './record-frame.js';

const record = { offset: 2 ** 40 + 3, deviceId: 'monitor-ü', boot: 'b7', seq: 1042, contentHash: -12.5 };

function framed(payload = Buffer.from('{"readings":[]}')): Buffer {
  const idBytes = Buffer.byteLength(record.deviceId);
  const buffer = Buffer.alloc(frameLength(idBytes, 2, payload.length) + 5);
  writeFrame(buffer, 5, record, idBytes, 2, payload);
  return buffer;
}

describe('record frame', () => {
  it('reads back what it wrote, offsets beyond 32 bits included', () => {
    const buffer = framed();
    const frame = readFrame(buffer, 5, buffer.length, true);
    assert.equal(frame.kind, 'frame');
    assert.deepEqual(
      {
        offset: frame.offset,
        deviceId: frame.deviceId,
        boot: frame.boot,
        seq: frame.seq,
        contentHash: frame.contentHash,
      },
      record,
    );
    assert.equal(buffer.toString('utf8', frame.payloadStart, 5 + frame.length), '{"readings":[]}');
  });

  it('finds every flipped byte after the checksum field', () => {
    const clean = framed();
    for (let at = 5 + 12; at < clean.length; at++) {
      const buffer = Buffer.from(clean);
      buffer[at] = (buffer[at] ?? 0) ^ 1;
      assert.equal(readFrame(buffer, 5, buffer.length, true).kind, 'bad', `byte ${at}`);
    }
  });

  it('asks for more bytes when the frame is cut short, and rejects impossible lengths', () => {
    const buffer = framed();
    assert.deepEqual(readFrame(buffer, 5, 9, true), { kind: 'incomplete', needBytes: 40 });
    assert.equal(readFrame(buffer, 5, buffer.length - 1, true).kind, 'incomplete');
    buffer.writeUInt32LE(3, 9);
    assert.equal(readFrame(buffer, 5, buffer.length, true).kind, 'bad');
  });
});
