/**
 * The names of a log's NATS resources, all derived from its prefix (validated by the options):
 * one stream per partition, so that a partition's offsets are its stream's sequences minus one,
 * and one KV bucket for consumer offsets and the partition count.
 */

/** The stream holding partition `partition`. */
export const streamName = (prefix: string, partition: number): string => `${prefix}_P${partition}`;

/** The only subject of that stream. */
export const partitionSubject = (prefix: string, partition: number): string => `${prefix}.p.${partition}`;

/** The KV bucket of consumer offsets (its stream is `KV_<bucket>`). */
export const offsetsBucket = (prefix: string): string => `${prefix}_OFFSETS`;

/** The key holding the log's partition count; it has no dot, so no consumer key can equal it. */
export const PARTITION_COUNT_KEY = 'partition-count';

const KEPT = /[A-Za-z0-9_-]/;

/**
 * The KV key of a consumer's offset in one partition: `<consumer>.<partition>`, the consumer name
 * kept where it is made of letters, digits, `_` and `-`, every other UTF-8 byte written `=XX`
 * (so distinct names give distinct keys, and no key of one consumer is a key of another).
 */
export function consumerKey(consumer: string, partition: number): string {
  return `${encodeConsumer(consumer)}.${partition}`;
}

function encodeConsumer(consumer: string): string {
  let out = '';
  for (const char of consumer) {
    if (KEPT.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
