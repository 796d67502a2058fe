import { readdirSync, readFileSync } from 'node:fs';

/** A response of a real node's console API, made the way a storj release answers (spec/fixtures/node-api/). */
export interface ApiFixture {
  readonly name: string;
  readonly tag: string;
  readonly path: string;
  readonly status: number;
  readonly source: string;
  readonly note?: string;
  readonly body: unknown;
}

const FOLDER = new URL('../fixtures/node-api/', import.meta.url);

/** Every API fixture, by file name without `.json` (`v1.162.3-dashboard`). */
export const API_FIXTURES: ReadonlyMap<string, ApiFixture> = new Map(
  readdirSync(FOLDER)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.json'.length);
      return [name, { name, ...(JSON.parse(readFileSync(new URL(file, FOLDER), 'utf8')) as Omit<ApiFixture, 'name'>) }];
    }),
);

/** The body of one fixture; throws for a name that has none (a typo in a test). */
export function fixtureBody(name: string): unknown {
  const fixture = API_FIXTURES.get(name);
  if (!fixture) throw new Error(`no API fixture ${name}`);
  return fixture.body;
}
