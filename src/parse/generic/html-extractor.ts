import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import type { PageInput } from '../parsed-post.ts';
import { type Candidate, findCandidates } from './candidates.ts';
import { titleOptionsFor } from './consensus.ts';
import { descendants } from './dom.ts';
import { filterRecords } from './filters.ts';
import { extendFlatRecords } from './flat.ts';
import { linkContext } from './links.ts';
import { findPagination } from './pagination.ts';
import { type RecordContext, type RecordInfo, readRecord, recordContext } from './record.ts';
import { findSisters, overlap, penaliseIndexes, penaliseSublists, type Scored } from './relations.ts';
import { scoreGroup } from './score.ts';
import { suggestSite } from './suggest.ts';
import { titleQuality } from './text-kinds.ts';
import { SOURCE_WEIGHT } from './title.ts';
import type { ExtractedPost, SuggestedSite } from './types.ts';

/**
 * Reads the post list of an HTML page with no site definition: every group of elements sharing a structure is read
 * as records and scored (score.ts); the best group, if good enough, is the post list.
 */

/** Below this a group is not trusted to be a post list. */
const MIN_SCORE = 0.6;
/** Members read to estimate a group's score. */
const SAMPLE = 30;
/** Groups read in full, best estimates first. */
const FULL_READS = 30;

export interface HtmlReading {
  found: boolean;
  posts: ExtractedPost[];
  confidence: number;
  explanation: string;
  suggestedSite?: SuggestedSite;
  nextPages: string[];
}

function describe(group: Scored, selector: string | undefined): string {
  const { score } = group;
  const where = selector ?? group.candidate.signature;
  const sources = Object.entries(score.sources)
    .map(([source, count]) => `${source} ${count}`)
    .join(', ');
  const pct = (value: number) => `${Math.round(value * 100)}%`;
  return (
    `${score.count} records at "${where}" (score ${score.score.toFixed(1)}): titles from ${sources}; ` +
    `links ${pct(score.shares.link)}, dates ${pct(score.shares.date)}, descriptions ${pct(score.shares.description)}`
  );
}

function confidenceOf(best: Scored, runnerUp: Scored | undefined): number {
  const { score } = best;
  const margin = runnerUp ? Math.max(0, 1 - runnerUp.score.score / score.score) : 1;
  const size = Math.min(1, score.count / 5);
  const penalty = score.factors.reduce((value, { factor }) => value * Math.min(1, factor), 1);
  const raw =
    0.35 * score.titleStrength +
    0.15 * score.consistency +
    0.15 * score.uniqueness +
    0.2 * margin +
    0.15 * size;
  return Math.round(Math.min(1, raw * Math.sqrt(penalty)) * 100) / 100;
}

function postOf(record: RecordInfo, pageConfidence: number): ExtractedPost {
  const title = record.title;
  const post: ExtractedPost = { title: title?.text ?? '', confidence: 0 };
  if (record.link) post.link = record.link;
  if (record.date) post.date = record.date;
  if (record.publishedAt) post.publishedAt = record.publishedAt;
  if (record.description) post.description = record.description;
  if (record.status) post.status = record.status;
  if (record.countdownEndsAt) post.countdownEndsAt = record.countdownEndsAt;
  if (record.website) post.website = record.website;
  if (record.size) post.size = record.size;
  if (record.attachments.length > 0) post.attachments = record.attachments;
  const weight = title ? SOURCE_WEIGHT[title.source] * titleQuality(title.text) : 0;
  const backed = record.link || record.date ? 1 : 0.9;
  post.confidence = Math.round(pageConfidence * (0.6 + 0.4 * weight) * backed * 100) / 100;
  return post;
}

/** Reads a group's records, then again with what the group says about its titles (labels, the name column). */
function readGroup(members: Element[], context: RecordContext): RecordInfo[] {
  const first = members.map((member) => readRecord(member, context));
  const options = titleOptionsFor(first);
  return options ? members.map((member) => readRecord(member, context, options)) : first;
}

export function readHtmlListing($: CheerioAPI, page: PageInput): HtmlReading {
  const body = ($('body')[0] ?? $.root()[0]) as Element;
  const anchors = $('a[href]').toArray() as Element[];
  const context = recordContext(page.url, page.fetchedAt, anchors);
  const pagination = findPagination(body, linkContext(page.url, anchors));
  // Every group is first scored on a sample of its members; only the most promising are read in full.
  const estimated: Array<{ candidate: Candidate; estimate: number }> = [];
  for (const candidate of findCandidates(body)) {
    const { members } = candidate;
    const step = Math.max(1, members.length / SAMPLE);
    const sample =
      members.length <= SAMPLE
        ? members
        : Array.from({ length: SAMPLE }, (_, i) => members[Math.floor(i * step)] as Element);
    const { kept } = filterRecords(readGroup(sample, context));
    if (kept.length < 2) continue;
    estimated.push({ candidate, estimate: (scoreGroup(kept).score * members.length) / sample.length });
  }
  estimated.sort((a, b) => b.estimate - a.estimate);
  const ranked: Scored[] = [];
  for (const { candidate } of estimated.slice(0, FULL_READS)) {
    const { kept, dropped } = filterRecords(readGroup(candidate.members, context));
    if (kept.length < 2) continue;
    ranked.push({ candidate, records: kept, dropped, score: scoreGroup(kept) });
  }
  const order = (a: Scored, b: Scored) =>
    b.score.score - a.score.score || b.candidate.depth - a.candidate.depth;
  ranked.sort(order);
  penaliseIndexes(ranked);
  penaliseSublists(ranked);
  ranked.sort(order);

  const best = ranked[0];
  if (!best || best.score.score < MIN_SCORE) {
    const weak = best ? ` The best block was ${describe(best, undefined)}, too weak to be a post list.` : '';
    return {
      found: false,
      posts: [],
      confidence: best ? 0.5 : 0.7,
      explanation: `No repeated block of titled records was found.${weak}`,
      nextPages: pagination.urls,
    };
  }
  const sisters = findSisters(best, ranked);
  const runnerUp = ranked.find(
    (group) => group !== best && !sisters.includes(group) && overlap(group, best) < 0.5,
  );
  const confidence = confidenceOf(best, runnerUp);
  const position = new Map(descendants(body).map((element, index) => [element, index]));
  const records = [best, ...sisters]
    .flatMap((group) => group.records)
    .sort((a, b) => (position.get(a.element) ?? 0) - (position.get(b.element) ?? 0));
  const loose = records.filter((record) => /^(h[1-6]|dt)$/.test(record.element.tagName));
  if (loose.length === records.length) extendFlatRecords(records, page.fetchedAt);
  const suggestion = suggestSite($, records, {
    members: [best, ...sisters].flatMap((group) => group.candidate.members),
    ...(pagination.selector ? { pagination: pagination.selector } : {}),
  });
  const lines = [`Chose ${describe(best, suggestion?.posts)}.`];
  for (const sister of sisters)
    lines.push(
      `Added ${sister.records.length} records of the same structure at "${sister.candidate.signature}".`,
    );
  for (const factor of best.score.factors)
    lines.push(`Penalty ×${factor.factor.toFixed(2)}: ${factor.name}.`);
  for (const drop of best.dropped) {
    const examples = drop.examples.map((example) => JSON.stringify(example.slice(0, 60))).join(', ');
    lines.push(`Filtered ${drop.count} ${drop.reason}${examples ? ` (e.g. ${examples})` : ''}.`);
  }
  if (runnerUp) {
    const why = runnerUp.score.factors.map((factor) => factor.name).join('; ');
    lines.push(`Runner-up: ${describe(runnerUp, undefined)}${why ? ` — penalised: ${why}` : ''}.`);
  }
  if (pagination.urls.length > 0) lines.push(`Pagination: ${pagination.urls.length} further page link(s).`);
  const result: HtmlReading = {
    found: true,
    posts: records.map((record) => postOf(record, confidence)),
    confidence,
    explanation: lines.join('\n'),
    nextPages: pagination.urls,
  };
  if (suggestion) result.suggestedSite = suggestion;
  return result;
}
