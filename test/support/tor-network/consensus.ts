export interface ConsensusRelay {
  nickname: string;
  flags: string[];
}

export interface ConsensusSummary {
  validAfter: string | undefined;
  relays: ConsensusRelay[];
}

/** Reads the router entries ("r" and "s" lines) of a consensus document, either flavour. */
export function parseConsensus(text: string): ConsensusSummary {
  const relays: ConsensusRelay[] = [];
  let validAfter: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('valid-after ')) validAfter = line.slice('valid-after '.length).trim();
    else if (line.startsWith('r ')) relays.push({ nickname: line.split(' ')[1] ?? '', flags: [] });
    else if (line.startsWith('s ')) {
      const last = relays.at(-1);
      if (last) last.flags = line.slice(2).trim().split(/\s+/);
    }
  }
  return { validAfter, relays };
}

/**
 * The flags an onion service and its client need on every relay of the small network: Running/Valid to be used at
 * all, HSDir to hold descriptors, Guard to be an entry (with only five relays, a missing one skews paths).
 */
export const REQUIRED_FLAGS = ['Running', 'Valid', 'HSDir', 'Guard'] as const;

/** The nicknames that are missing from the consensus or lack a required flag; [] when it is complete. */
export function missingRelays(summary: ConsensusSummary, nicknames: string[]): string[] {
  return nicknames.filter((nickname) => {
    const relay = summary.relays.find((r) => r.nickname === nickname);
    return !relay || !REQUIRED_FLAGS.every((flag) => relay.flags.includes(flag));
  });
}
