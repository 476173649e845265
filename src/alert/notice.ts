/**
 * Notices: messages that are not one leak alert — site-health events and new posts for the analysts' channel, and the
 * daily digest. Each is stored as its own payload and turned into one simple shape (title, text, fields) that every
 * channel knows how to send, so a new kind of notice needs no channel code.
 */
import { SEVERITY_COLOUR, type Severity } from './payload.ts';

export const SITE_EVENT_KINDS = [
  'site_down',
  'site_layout_broken',
  'site_up',
  'site_new',
  'new_post',
] as const;
export type SiteEventKind = (typeof SITE_EVENT_KINDS)[number];

/** alerts.payload of a site-health event or a new post (analysts' channels). */
export interface SiteEventPayload {
  version: 1;
  kind: SiteEventKind;
  severity: Severity;
  site: { id: string; name: string; group: string };
  /** The site's health when the event was written, since when, and why. */
  health: { state: string; since: string | null; detail: string | null };
  post: { id: number; title: string; status: string } | null;
  /** One line a person reads first. */
  summary: string;
}

export interface Notice {
  /** What it is, for receivers that route by kind (webhook JSON). */
  kind: string;
  title: string;
  description: string;
  severity: Severity;
  colour: number;
  fields: Array<{ name: string; value: string }>;
  footer: string;
  /** The stored payload(s) behind the notice: a webhook receiver gets them as data. */
  data: unknown;
}

export function isSiteEvent(payload: { kind?: unknown }): payload is SiteEventPayload {
  return (SITE_EVENT_KINDS as readonly unknown[]).includes(payload.kind);
}

const TITLES: Record<SiteEventKind, string> = {
  site_down: 'Leak site down',
  site_layout_broken: 'Leak site layout broken',
  site_up: 'Leak site back up',
  site_new: 'New leak site watched',
  new_post: 'New post on a leak site',
};

export function siteEventNotice(event: SiteEventPayload, alertId: number): Notice {
  const fields = [
    { name: 'Group / site', value: `${event.site.group} / ${event.site.name} (${event.site.id})` },
    {
      name: 'Health',
      value: `${event.health.state}${event.health.since ? ` since ${event.health.since}` : ''}`,
    },
  ];
  if (event.health.detail) fields.push({ name: 'Detail', value: event.health.detail });
  if (event.post)
    fields.push({ name: 'Post', value: `#${event.post.id} ${event.post.title} (${event.post.status})` });
  return {
    kind: event.kind,
    title: `${TITLES[event.kind]}: ${event.site.group} / ${event.site.name}`,
    description: event.summary,
    severity: event.severity,
    colour:
      event.kind === 'site_up' || event.kind === 'site_new' ? 0x2ecc71 : SEVERITY_COLOUR[event.severity],
    fields,
    footer: `leakwatch alert #${alertId}`,
    data: event,
  };
}
