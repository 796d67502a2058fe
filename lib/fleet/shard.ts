import type { Shard } from '../config.js';

const UINT64 = (1n << 64n) - 1n;
const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
/** The 64-bit linear congruential step of the jump consistent hash. */
const JUMP_MULTIPLIER = 2862933555777941757n;

/**
 * The shard (1 to `count`) a node belongs to, from its name alone: a jump consistent hash
 * (Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm", 2014) of the
 * 64-bit FNV-1a hash of the name's UTF-8 bytes. It depends on the name and `count` only,
 * so a node stays in its shard however many others are added or removed, every monitor
 * of a fleet agrees on it (any process, any version of Node), and going from N to N + 1
 * shards moves only the nodes that go to the new shard, about 1 / (N + 1) of them.
 *
 * @example
 * ```ts
 * shardOf('node1', 3); // the same number in every process, 1, 2 or 3
 * ```
 */
export function shardOf(name: string, count: number): number {
  let key = FNV_OFFSET_BASIS;
  for (const byte of Buffer.from(name, 'utf8')) key = ((key ^ BigInt(byte)) * FNV_PRIME) & UINT64;
  let bucket = -1;
  let next = 0;
  while (next < count) {
    bucket = next;
    key = (key * JUMP_MULTIPLIER + 1n) & UINT64;
    next = Math.floor((bucket + 1) * (2 ** 31 / Number((key >> 33n) + 1n)));
  }
  return bucket + 1;
}

/**
 * Whether this shard watches the node named `name`; without a shard, every node is watched.
 *
 * @example
 * ```ts
 * const mine = config.nodes.filter((node) => inShard(node.name, { index: 2, count: 3 }));
 * ```
 */
export function inShard(name: string, shard: Shard | undefined): boolean {
  return shard === undefined || shardOf(name, shard.count) === shard.index;
}
