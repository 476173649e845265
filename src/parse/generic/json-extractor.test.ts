import { describe, expect, it } from 'vitest';
import { readJsonListing } from '../json-listing.ts';
import type { PageInput } from '../parsed-post.ts';
import { extractListing } from './index.ts';

// JSON API responses written for these tests: invented victims in the shapes leak-site APIs use.

const SITE = 'http://exampleleaksiteexampleleaksiteexampleleaksiteexamplead.onion/';

function page(body: unknown, contentType = 'application/json'): PageInput {
  return {
    url: `${SITE}api/posts`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    contentType,
    fetchedAt: new Date('2024-06-01T00:00:00Z'),
  };
}

describe('JSON listings', () => {
  it('finds the post array inside a wrapper and the key that holds the title', () => {
    const body = {
      status: 'ok',
      meta: { total: 3, page: 1, pages: 1, tags: [{ id: 1, name: 'finance' }] },
      data: {
        posts: [
          {
            id: 'a1f3',
            company: { name: 'Harrowgate Plastics', website: 'harrowgate.example' },
            published_at: '2024-05-02T10:00:00Z',
            url: '/post/a1f3',
            status: 'published',
            description: 'Contracts, payroll and customer records from the file server.',
          },
          {
            id: 'b7c2',
            company: { name: 'Lindqvist Marine AB', website: 'lindqvist.example' },
            published_at: '2024-04-21T08:30:00Z',
            url: '/post/b7c2',
            status: 'in progress',
            description: 'HR folders and engineering drawings.',
          },
          {
            id: 'c9d0',
            company: { name: 'Santa Lucía Clínica', website: 'santalucia.example' },
            published_at: '2024-04-02T12:00:00Z',
            url: '/post/c9d0',
            status: 'published',
            description: 'Patient records and lab reports.',
          },
        ],
      },
    };
    const result = extractListing(page(body));
    expect(result.kind).toBe('listing');
    expect(result.posts.map((post) => post.title)).toEqual([
      'Harrowgate Plastics',
      'Lindqvist Marine AB',
      'Santa Lucía Clínica',
    ]);
    expect(result.posts[0]).toMatchObject({
      link: `${SITE}post/a1f3`,
      date: '2024-05-02T10:00:00Z',
      website: 'harrowgate.example',
      status: 'published',
      description: 'Contracts, payroll and customer records from the file server.',
    });
    expect(result.suggestedJson).toEqual({
      items: 'data.posts',
      fields: {
        title: 'company.name',
        date: 'published_at',
        link: 'url',
        website: 'company.website',
        description: 'description',
        status: 'status',
      },
    });
    expect(result.explanation).toMatch(/JSON: 3 items at data\.posts; title from "company\.name"/);
  });

  it('reads a top-level array saved as .html, skipping items without a title', () => {
    const body = [
      { incidentDate: '2024.06.18', data: { timer: { isEnabled: false }, description: '', links: [] } },
      {
        incidentDate: '2024.05.16',
        data: { name: 'Ferncliff Insurance Brokers', description: 'Client databases, 40 GB.' },
      },
      {
        incidentDate: '2024.05.02',
        data: { name: 'Oakhurst Pharmacy', description: 'Prescriptions and invoices.' },
      },
    ];
    const result = extractListing(page(body, 'text/html'));
    expect(result.posts.map((post) => post.title)).toEqual([
      'Ferncliff Insurance Brokers',
      'Oakhurst Pharmacy',
    ]);
    expect(result.posts[0]?.date).toBe('2024.05.16');
    expect(result.explanation).toMatch(/Skipped 1 item\(s\) without a title/);
  });

  it('reads JSON shown by a browser inside a <pre>', () => {
    const json = JSON.stringify({ victims: [{ title: 'Aurora Textiles' }, { title: 'Beacon Hill Clinic' }] });
    const result = extractListing(
      page(`<html><head></head><body><pre>${json}</pre></body></html>`, 'text/html'),
    );
    expect(result.posts.map((post) => post.title)).toEqual(['Aurora Textiles', 'Beacon Hill Clinic']);
  });

  it('prefers a name over ids, slugs and long texts, in any language', () => {
    const body = {
      items: [
        {
          uuid: '0f8fad5b-d9cb-469f-a165-70867728950e',
          slug: 'ural-stal',
          text: 'Длинное описание компании и данных, которые были украдены из сети.',
          name: 'Урал Сталь',
        },
        {
          uuid: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          slug: 'volga-med',
          text: 'Медицинские записи пациентов и бухгалтерия клиники за пять лет работы.',
          name: 'Волга Мед',
        },
      ],
    };
    expect(extractListing(page(body)).posts.map((post) => post.title)).toEqual(['Урал Сталь', 'Волга Мед']);
  });

  it('suggests paths that the definition reader accepts and that give the same titles', () => {
    const body = {
      result: {
        list: [{ victim: 'Kingsbridge Dental' }, { victim: 'Marlow Steel' }, { victim: 'Penrose Bakery' }],
      },
    };
    const result = extractListing(page(body));
    const suggestion = result.suggestedJson;
    expect(suggestion).toBeDefined();
    const posts = readJsonListing(page(body), suggestion as NonNullable<typeof suggestion>);
    expect(posts.map((post) => post.title)).toEqual(result.posts.map((post) => post.title));
  });

  it('reads posts keyed by id in an object, without suggesting paths it cannot express', () => {
    const body = {
      victims: {
        a1: { title: 'Umber Logistics', date: '2024-03-01' },
        b2: { title: 'Vale Orthodontics', date: '2024-02-20' },
        c3: { title: 'Wrenfield Parish Council', date: '2024-02-11' },
      },
    };
    const result = extractListing(page(body));
    expect(result.posts.map((post) => [post.title, post.date])).toEqual([
      ['Umber Logistics', '2024-03-01'],
      ['Vale Orthodontics', '2024-02-20'],
      ['Wrenfield Parish Council', '2024-02-11'],
    ]);
    expect(result.suggestedJson).toBeUndefined();
    expect(result.explanation).toMatch(/victims \(an object keyed by id\)/);
  });

  it('reads rendered HTML that an API returns inside JSON', () => {
    const cards = ['Yew Tree Hospice', 'Zephyr Freight', 'Amberley Mills']
      .map(
        (name, i) =>
          `<div class="card"><h3><a href="/p/${i}">${name}</a></h3><p>Stolen contracts and HR files.</p></div>`,
      )
      .join('');
    const result = extractListing(page({ ok: true, page: 1, html: `<div class="cards">${cards}</div>` }));
    expect(result.kind).toBe('listing');
    expect(result.posts.map((post) => post.title)).toEqual([
      'Yew Tree Hospice',
      'Zephyr Freight',
      'Amberley Mills',
    ]);
    expect(result.explanation).toMatch(/^HTML inside the JSON at "html"/);
    expect(result.suggestedSite).toBeUndefined();
  });

  it('calls a JSON document without a post list empty', () => {
    const result = extractListing(page({ status: 'ok', version: 3, maintenance: false }));
    expect(result).toMatchObject({ kind: 'empty', posts: [] });
    expect(extractListing(page([1, 2, 3])).kind).toBe('empty');
    expect(extractListing(page({ error: 'not found' })).posts).toEqual([]);
  });
});
