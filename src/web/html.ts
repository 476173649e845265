import { visibleText } from '../shared/visible-text.ts';

/**
 * The one way the UI writes HTML. Everything interpolated into an `html` template is escaped unless it is itself
 * Html (another template, or `raw` of a constant): captured titles, post texts and file names are hostile, and a
 * template that forgets to escape cannot be written by accident. Bidi overrides and invisible characters are shown.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => ENTITIES[character] ?? character);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  // Shown as ⟨U+202E⟩ rather than obeyed: `\u202Egnp.exe` must not read as an image file name.
  return escapeHtml(visibleText(String(value)));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Markup written by the application itself (never captured content). */
export function raw(markup: string): Html {
  return new Html(markup);
}

/**
 * An href built by the application: only relative paths to the UI itself. A captured URL is never made a link (it is
 * shown as text), so javascript: and data: URLs cannot reach an attribute that a browser would follow.
 */
export function localHref(path: string, query: Record<string, string | number | undefined> = {}): string {
  if (!path.startsWith('/') || path.startsWith('//')) throw new Error(`not a local path: ${path}`);
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}
