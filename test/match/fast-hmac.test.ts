import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FastHmac } from '../../src/match/wasm-sha256.ts';

const expected = (key: Buffer, message: string) => createHmac('sha256', key).update(message, 'utf8').digest();

/** Every 32-byte slice of `batch` against node:crypto; the index of the first wrong one, -1 when all are right. */
function firstWrong(key: Buffer, messages: readonly string[], batch: Uint8Array): number {
  expect(batch.length).toBe(messages.length * 32);
  return messages.findIndex(
    (message, i) => !Buffer.from(batch.subarray(i * 32, i * 32 + 32)).equals(expected(key, message)),
  );
}

// Identifiers of 1 block (≤ 55 bytes), 2 blocks (≤ 119) and 3 blocks, in an order that mixes them; ASCII or not (one
// non-ASCII message sends a batch down another path).
const identifier = (n: number, ascii = false) =>
  ['acct:', 'tel:+33', 'nir:'][n % 3] +
  `${n}`.repeat(1 + ((n * 7919) % 40)) +
  (ascii || n % 11 ? '' : 'é東😀');

describe('FastHmac, the batched HMAC-SHA256 in WebAssembly', () => {
  const keys = [Buffer.alloc(0), Buffer.from('k'), Buffer.alloc(32, 0xa5), Buffer.alloc(64, 0x3c)];

  it('gives node:crypto bytes for batches of any size: empty, one, groups not full, more than one call', () => {
    for (const key of keys) {
      const hmac = new FastHmac(key);
      for (const size of [0, 1, 3, 4, 5, 8, 9, 13, 512, 4097, 9000]) {
        for (const ascii of [true, false]) {
          const messages = Array.from({ length: size }, (_, n) => identifier(n + size, ascii));
          expect(firstWrong(key, messages, hmac.hashMany(messages))).toBe(-1);
        }
      }
      // Short identifiers only, the usual batch.
      const short = Array.from({ length: 1027 }, (_, n) => `acct:${n}@example.fr`.slice(0, n % 56));
      expect(firstWrong(key, short, hmac.hashMany(short))).toBe(-1);
    }
  });

  it('gives node:crypto bytes at every block boundary, alone and mixed with other block counts', () => {
    const key = Buffer.alloc(32, 7);
    const hmac = new FastHmac(key);
    const lengths = Array.from({ length: 200 }, (_, n) => n);
    const messages = lengths.map((n) => 'x'.repeat(n));
    expect(firstWrong(key, messages, hmac.hashMany(messages))).toBe(-1);
    for (const n of [0, 55, 56, 63, 64, 119, 120, 183]) {
      expect(hmac.hash('y'.repeat(n)).equals(expected(key, 'y'.repeat(n)))).toBe(true);
    }
    // The same hasher again: nothing of the previous batch's layout leaks into the next.
    const reversed = [...messages].reverse();
    expect(firstWrong(key, reversed, hmac.hashMany(reversed))).toBe(-1);
  });

  it('hashes a prefix and a value, written one after the other, as their concatenation', () => {
    const key = Buffer.alloc(32, 9);
    const hmac = new FastHmac(key);
    for (const ascii of [true, false]) {
      const values = Array.from({ length: 1001 }, (_, n) => identifier(n, ascii).slice(4));
      const namespaces = ascii ? ['acct:', 'tel:', '', 'nbd:'] : ['acct:', 'tél:', '', 'nbd:😀'];
      const prefixes = values.map((_, n) => namespaces[n % 4] as string);
      const joined = values.map((value, n) => (prefixes[n] as string) + value);
      expect(firstWrong(key, joined, hmac.hashMany(values, prefixes))).toBe(-1);
    }
    // A surrogate pair cut between prefix and value: two lone surrogates, each encoded as U+FFFD.
    const cut = hmac.hashMany(['\ude00b', 'c\ud800'], ['a\ud83d', '']);
    const replaced = createHmac('sha256', key).update('a\ufffd\ufffdb', 'utf8').digest();
    expect(Buffer.from(cut.subarray(0, 32)).equals(replaced)).toBe(true);
    expect(Buffer.from(cut.subarray(32)).equals(expected(key, 'c\ud800'))).toBe(true);
    // The same between two messages, among others: each message is its own.
    const apart = ['é', 'x\ud83d', '\ude00y', 'plain'];
    expect(firstWrong(key, apart, hmac.hashMany(apart))).toBe(-1);
  });

  it('refuses keys longer than a block', () => {
    expect(() => new FastHmac(Buffer.alloc(65))).toThrow(/at most 64 bytes/);
  });
});
