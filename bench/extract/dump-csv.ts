/**
 * The benchmark's leaked dump: a credential/customer CSV in Latin-1 with ";" (what French software exports), every
 * row exactly 128 bytes so a dump of exactly 1 GiB can be generated and served as a stream, never held in memory.
 */
import type { ServerResponse } from 'node:http';

export const ROW_BYTES = 128;
const FIRST = ['Hélène', 'Jean', 'Zoé', 'François', 'Amélie', 'Noé', 'Chloé', 'Jérôme', 'Inès', 'Loïc'];
const LAST = [
  'Dupont',
  'Martin',
  'Lefèvre',
  'Moreau',
  'Girard',
  'Müller',
  'Bernard',
  'Petit',
  'Roux',
  'Fournier',
];

function pad(line: string): string {
  const body = line.slice(0, ROW_BYTES - 1);
  return `${body}${' '.repeat(ROW_BYTES - 1 - body.length)}\n`;
}

export const HEADER = pad('email;mot_de_passe;nom;prenom;date_naissance;telephone;notes');

export function emailOf(i: number): string {
  return `${FIRST[i % 10]
    ?.normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()}.${LAST[(i >> 3) % 10]
    ?.normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()}${i}@example.fr`;
}

export function row(i: number): string {
  const day = String((i % 28) + 1).padStart(2, '0');
  const month = String((i % 12) + 1).padStart(2, '0');
  const phone = `06 ${String(i % 100).padStart(2, '0')} ${String((i >> 7) % 100).padStart(2, '0')} ${String((i >> 14) % 100).padStart(2, '0')} ${String(i % 97).padStart(2, '0')}`;
  return pad(
    `${emailOf(i)};Pw${(i * 2654435761) % 1e9}!;${LAST[(i >> 3) % 10]};${FIRST[i % 10]};${day}/${month}/19${50 + (i % 50)};${phone};client ${i}`,
  );
}

/** Serves `rows` rows after the header (Content-Length exact), written as fast as the client reads. */
export function serveDump(response: ServerResponse, rows: number): void {
  response.writeHead(200, { 'content-type': 'text/csv', 'content-length': String((rows + 1) * ROW_BYTES) });
  response.on('error', () => undefined);
  response.write(Buffer.from(HEADER, 'latin1'));
  let next = 0;
  const write = () => {
    while (next < rows) {
      const lines: string[] = [];
      const end = Math.min(rows, next + 8192);
      for (let i = next; i < end; i++) lines.push(row(i));
      next = end;
      if (!response.write(Buffer.from(lines.join(''), 'latin1'))) {
        response.once('drain', write);
        return;
      }
    }
    response.end();
  };
  write();
}
