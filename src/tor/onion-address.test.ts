import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { onionAddressFor, onionHostProblem, onionUrlProblem } from './onion-address.ts';

function freshAddress(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return onionAddressFor(raw);
}

describe('v3 onion addresses', () => {
  const address = freshAddress();

  it('accepts a valid address, in URLs and with a sub-domain', () => {
    expect(address).toMatch(/^[a-z2-7]{55}d\.onion$/);
    expect(onionHostProblem(address)).toBeUndefined();
    expect(onionUrlProblem(`http://${address}/blog?page=2`)).toBeUndefined();
    expect(onionUrlProblem(`https://www.${address}/`)).toBeUndefined();
    expect(onionHostProblem(address.toUpperCase())).toBeUndefined();
  });

  it('rejects a one-character typo through the checksum', () => {
    const label = address.slice(0, 56);
    const swapped = `${label.slice(0, 10)}${label[10] === 'a' ? 'b' : 'a'}${label.slice(11)}.onion`;
    expect(onionHostProblem(swapped)).toMatch(/fails the v3 checksum/);
  });

  it('says why other strings are not v3 addresses', () => {
    expect(onionHostProblem('expyuzz4wqqyqhjn.onion')).toMatch(/v2 onion address/);
    expect(onionHostProblem('example.com')).toMatch(/not a \.onion address/);
    expect(onionHostProblem(`${'a'.repeat(55)}.onion`)).toMatch(/55 characters/);
    expect(onionHostProblem(`${'1'.repeat(56)}.onion`)).toMatch(/outside base32/);
    expect(onionHostProblem(`${address.slice(0, 55)}a.onion`)).toMatch(/version byte/);
    expect(onionUrlProblem(`ftp://${address}/`)).toMatch(/http/);
    expect(onionUrlProblem(`http://user:pw@${address}/`)).toMatch(/credentials/);
    expect(onionUrlProblem('not a url')).toMatch(/not a URL/);
  });
});
