/**
 * What an alert says, stored in alerts.payload when the outbox row is written. Counts, severity and (only when the
 * channel enables them) masked samples: never an identifier.
 */
import type { severities } from '../store/schema/index.ts';

export type Severity = (typeof severities)[number];

export interface AlertPayload {
  version: 1;
  kind: string;
  severity: Severity;
  organisation: { id: number; name: string };
  site: { id: string; name: string; group: string };
  post: { id: number; title: string; status: string; firstSeenAt: string; link: string };
  /** The match record that caused this alert (the post text when documentId is null). */
  documentId: number | null;
  documentName: string | null;
  /** termId: the watch term (absent in payloads written before mutes existed). */
  terms: Array<{ termId?: number; pattern: string; count: number }>;
  identifierCounts: Record<string, number>;
  verdict: { recordsMatched: number; recordsTotal: number } | null;
  categories: string[];
  health: boolean;
  maskedSamples: string[];
  /** Start of the GDPR art. 33 clock (the first alert of the incident) and its 72-hour deadline. */
  gdpr: { clockStartedAt: string; deadline: string };
  /** Set on follow-ups: what is new since the first alert. */
  followUp: {
    /** The first alert of this (organisation, post, kind) on this channel. */
    parentAlertId: number;
    identifiersAdded: number;
    categoriesAdded: string[];
    termsAdded: number;
    reason: string;
  } | null;
}

export const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export const SEVERITY_COLOUR: Record<Severity, number> = {
  low: 0x3498db,
  medium: 0xf1c40f,
  high: 0xe67e22,
  critical: 0xe74c3c,
};
