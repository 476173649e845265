import { type Html, html } from '../html.ts';

/** A timestamp in UTC, readable and machine-readable; '—' when absent. */
export function when(date: Date | null | undefined): Html {
  if (!date) return html`<span class="muted">—</span>`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

export function bytes(size: number | null | undefined): string {
  if (size === null || size === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${size} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function severity(level: string): Html {
  return html`<span class="sev-${level}">${level}</span>`;
}

/** `{ email: 3, phone: 1 }` as "email 3 · phone 1". */
export function counts(values: Record<string, number> | null | undefined): string {
  const entries = Object.entries(values ?? {}).filter(([, n]) => n > 0);
  return entries.length === 0 ? '—' : entries.map(([kind, n]) => `${kind} ${n}`).join(' · ');
}

/** How far a countdown is from now, in days and hours. */
export function countdown(endsAt: Date, now: Date): string {
  const ms = endsAt.getTime() - now.getTime();
  if (ms <= 0) return 'ended';
  const hours = Math.floor(ms / 3_600_000);
  return `${Math.floor(hours / 24)} d ${hours % 24} h left`;
}
