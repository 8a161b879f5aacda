/**
 * The partition of a key: FNV-1a (32-bit) of its UTF-16 code units, modulo the partition count.
 * Every adapter uses this function, so a key lands in the same partition in every shape.
 */
export function partitionFor(key, partitionCount) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
        hash ^= key.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0) % partitionCount;
}
//# sourceMappingURL=partition.js.map