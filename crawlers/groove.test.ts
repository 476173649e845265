import { describe, expect, it } from 'vitest';
import { readFixture, rootOf } from './fixture-page.ts';
import site from './groove.ts';

const post = (id: number, title: string, date: string, text: string) =>
  `<div class="col-lg-6"><div class="post"><a href="/post/${id}" class="title">${title}</a>` +
  `<div class="time"><span class="date">Опубликовано: ${date}</span><span class="views">Просмотров: 1234</span></div>` +
  `<p>${text}</p><a href="/post/${id}">Читать далее</a></div></div>`;

// Written for this test: Groove's one-line minified blog, Russian UI, a group announcement among the victims.
const page =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Утечки | Groove</title></head><body>' +
  '<div class="preloader"><div><div class="logo-text">Groove</div><div>Загрузка...</div></div></div>' +
  '<header><div class="container"><a href="/"><span class="logo-text">Groove</span></a>' +
  '<a href="/" class="top-link active">Утечки</a><a href="/news" class="top-link">Новости</a>' +
  '<a href="/about" class="top-link">О нас</a></div></header><div class="container py-5"><div class="row">' +
  post(12, 'azur-analyses.example', '13 Сентября 2021', '+40 000 карточек пациентов') +
  post(11, 'Мы открыты к диалогу', '10 Сентября 2021', 'Новости группы') +
  post(9, '[lab reports 12gb ]  Azur  Analyses Médicales', '27 Августа 2021', 'Laboratory in Nice') +
  '</div></div></body></html>';

describe('groove definition', () => {
  const { posts } = readFixture(site, page);

  it('reads every post of the list, the announcement included (same markup; the evaluation ignores it)', () => {
    expect(posts.map((p) => p.title)).toEqual([
      'azur-analyses.example',
      'Мы открыты к диалогу',
      '[lab reports 12gb ] Azur Analyses Médicales',
    ]);
    expect(posts.map((p) => p.link)).toEqual([12, 11, 9].map((id) => `${rootOf(site)}post/${id}`));
  });

  it('reads the Russian dates after the "Опубликовано:" label, which is not taken for a status', () => {
    expect(posts.map((p) => p.date)).toEqual(['13 Сентября 2021', '10 Сентября 2021', '27 Августа 2021']);
    expect(posts[2]?.publishedAt?.toISOString()).toBe('2021-08-27T00:00:00.000Z');
    expect(posts.map((p) => p.status)).toEqual([undefined, undefined, undefined]);
  });
});
