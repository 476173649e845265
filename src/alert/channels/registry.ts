/** The explicit registry of channel kinds. */
import { InputError } from '../../shared/errors.ts';
import type { AlertChannel } from './channel.ts';
import { consoleChannel } from './console.channel.ts';
import { discordChannel } from './discord.channel.ts';
import { slackChannel } from './slack.channel.ts';
import { webhookChannel } from './webhook.channel.ts';

// biome-ignore lint/suspicious/noExplicitAny: each channel checks its own settings and secret with its schemas.
const CHANNELS: Record<string, AlertChannel<any, any>> = {
  discord: discordChannel,
  console: consoleChannel,
  webhook: webhookChannel,
  slack: slackChannel,
};

// biome-ignore lint/suspicious/noExplicitAny: see above.
export function channelOfType(type: string): AlertChannel<any, any> {
  const channel = CHANNELS[type];
  if (!channel)
    throw new InputError(
      'alert.channel_type',
      `unknown channel type "${type}" (known: ${Object.keys(CHANNELS).join(', ')})`,
    );
  return channel;
}

export const CHANNEL_TYPES = Object.keys(CHANNELS);
