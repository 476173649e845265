import { type CheerioAPI, load } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { visibleText } from './generic/dom.ts';

export type WallKind = 'captcha' | 'login' | 'seized' | 'js_shell';

const SEIZED =
  /(this (hidden )?(site|service|domain|website) (has been|was|is) seized|has been seized by|seized by (the )?(fbi|europol|nca|law enforcement|police|national crime agency|bka|federal bureau)|operation (cronos|endgame|duck hunt)|domain has been seized|(is|are) now under the control of (the )?(national crime agency|fbi|law enforcement|federal bureau)|seized (as part of|pursuant to|in accordance with) (a |an )?(coordinated|international|law enforcement|warrant|seizure))/i;
const CAPTCHA =
  /(captcha|human verif|verify (that )?you are (a )?human|are you (a )?(robot|human)|ddos[- ]?(protection|guard)|prove you are (a )?human|enter the (code|characters)|checking your browser|security check|one more step|i am not a robot|anti[- ]?ddos|solve the (puzzle|challenge))/i;
const LOGIN = /(sign in|log ?in|password|authori[sz]ation|access (key|token|code))/i;
const JS_NEEDED =
  /(enable javascript|javascript (is )?(required|disabled)|requires javascript|turn on javascript|включите javascript)/i;

/** Text, title and counts of a page, read without changing the document (iteratively: pages may nest deeply). */
function readPage($: CheerioAPI): {
  text: string;
  title: string;
  headings: string;
  scripts: number;
  links: number;
} {
  const body: AnyNode | undefined = $('body')[0] ?? $.root()[0];
  const title: AnyNode | undefined = $('title')[0];
  return {
    text: body ? visibleText(body) : '',
    title: title ? visibleText(title).slice(0, 500) : '',
    headings: $('h1, h2, h3')
      .slice(0, 6)
      .toArray()
      .map((heading) => visibleText(heading))
      .join(' '),
    scripts: $('script').length,
    links: $('body a[href]').length,
  };
}

/**
 * Recognises pages that list no posts but something else: seizure banners, captcha and login walls, and JavaScript
 * shells. Used so such a page is reported as what it is, never parsed into invented posts or "no news".
 * A seizure banner counts in the title, the headings or the opening of the page (a seized site may keep its old
 * layout below the banner); captcha and login walls are short pages; a JavaScript shell has scripts and almost no
 * text or links.
 */
export function detectWall(html: string): WallKind | undefined {
  return detectWallIn(load(html));
}

export function detectWallIn($: CheerioAPI): WallKind | undefined {
  const { text, title, headings, scripts, links } = readPage($);
  if (SEIZED.test(`${title} ${headings} ${text.slice(0, 2000)}`)) return 'seized';
  const short = text.length < 1500;
  if (short && CAPTCHA.test(`${title} ${text}`)) return 'captcha';
  if (short && $('input[type="password"]').length > 0 && LOGIN.test(`${title} ${text}`) && links < 10)
    return 'login';
  const noscript = $('noscript')
    .toArray()
    .map((node) => $(node).text())
    .join(' ');
  if (text.length < 200 && links < 3 && (scripts > 0 || JS_NEEDED.test(noscript))) return 'js_shell';
  return undefined;
}
