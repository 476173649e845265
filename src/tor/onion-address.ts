import { createHash } from 'node:crypto';

/**
 * v3 onion addresses (rend-spec-v3 §6): base32(PUBKEY | CHECKSUM | VERSION) + ".onion", where
 * CHECKSUM = SHA3-256(".onion checksum" | PUBKEY | VERSION)[:2] and VERSION = 0x03. Checking the checksum catches
 * typos and look-alike addresses before any request is made.
 */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text) {
    value = (value << 5) | BASE32.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function checksum(publicKey: Uint8Array, version: number): Buffer {
  return createHash('sha3-256')
    .update('.onion checksum')
    .update(publicKey)
    .update(Buffer.from([version]))
    .digest()
    .subarray(0, 2);
}

/** The v3 address of an ed25519 public key (32 bytes), e.g. for test fixtures. */
export function onionAddressFor(publicKey: Uint8Array): string {
  const body = Buffer.concat([publicKey, checksum(publicKey, 3), Buffer.from([3])]);
  return `${base32Encode(body)}.onion`;
}

/** Why a host name is not a valid v3 onion address, or undefined when it is. Sub-domains are allowed. */
export function onionHostProblem(host: string): string | undefined {
  const lower = host.toLowerCase();
  if (!lower.endsWith('.onion')) return `"${host}" is not a .onion address`;
  const label = lower.slice(0, -'.onion'.length).split('.').pop() ?? '';
  if (label.length === 16) return `"${host}" is a v2 onion address; Tor stopped supporting those in 2021`;
  if (label.length !== 56)
    return `"${host}" has ${label.length} characters before .onion; a v3 address has 56`;
  if (!/^[a-z2-7]{56}$/.test(label)) return `"${host}" contains characters outside base32 (a-z, 2-7)`;
  const decoded = base32Decode(label);
  const publicKey = decoded.subarray(0, 32);
  const version = decoded[34];
  if (version !== 3)
    return `"${host}" has version byte ${version}; v3 addresses end in version 3 ("d" as last letter)`;
  if (!checksum(publicKey, 3).equals(decoded.subarray(32, 34))) {
    return `"${host}" fails the v3 checksum: a character is wrong (typo or look-alike address)`;
  }
  return undefined;
}

/** Why a URL is not an http(s) URL on a valid v3 onion address, or undefined when it is. */
export function onionUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `"${url}" must start with http:// or https://`;
  }
  if (parsed.username || parsed.password) return `"${url}" must not carry credentials`;
  return onionHostProblem(parsed.hostname);
}

export function isValidOnionUrl(url: string): boolean {
  return onionUrlProblem(url) === undefined;
}
