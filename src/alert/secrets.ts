/**
 * Channel secrets (webhook URLs, tokens) encrypted at rest with AES-256-GCM under a key derived for this purpose only.
 * Layout: version byte (1) | 12-byte nonce | 16-byte tag | ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { OperatorError } from '../shared/errors.ts';
import { deriveKey } from '../shared/keys.ts';

const VERSION = 1;

export function encryptSecret(material: string, secret: Record<string, unknown>): Buffer {
  const key = deriveKey(material, 'channel-secrets');
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
}

export function decryptSecret(material: string, data: Uint8Array): Record<string, unknown> {
  const bytes = Buffer.from(data);
  if (bytes[0] !== VERSION || bytes.length < 29)
    throw new OperatorError('alert.secret_format', 'unreadable channel secret (unknown format)');
  const key = deriveKey(material, 'channel-secrets');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 13));
  decipher.setAuthTag(bytes.subarray(13, 29));
  try {
    const plain = Buffer.concat([decipher.update(bytes.subarray(29)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new OperatorError(
      'alert.secret_key',
      'cannot decrypt a channel secret: was the secret key changed since the channel was added?',
      { cause },
    );
  }
}
