/**
 * Deterministic alarm ids: FNV-1a (64-bit) of the subject, the rule and the condition's onset, so a
 * replay or a redelivery of the same data derives the same id and never raises a second alarm.
 */
export function alarmId(subject: string, ruleId: string, onsetAt: number): string {
  return `al-${fnv1a64(`${subject}\u0000${ruleId}\u0000${onsetAt}`)}`;
}

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

function fnv1a64(text: string): string {
  let hash = OFFSET;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, '0');
}
