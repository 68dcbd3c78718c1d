// Issue 23: every relative link of the README, the guides (docs/), the API reference (docs/api) and
// CONTRIBUTING.md leads to a file that exists, and every #anchor to a heading (or an id) of that
// file, as GitHub renders them.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const FILES = [
  join(root, 'README.md'),
  join(root, 'CONTRIBUTING.md'),
  join(root, 'CHANGELOG.md'),
  join(root, 'bench', 'README.md'),
  ...markdownFiles(join(root, 'docs')),
];

/** The lines outside fenced code blocks. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && !line.startsWith('```');
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(text)) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-');
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${String(count)}`);
    }
    for (const id of line.matchAll(/\bid="([^"]+)"/g)) anchors.add(id[1]!);
  }
  return anchors;
}

const links = FILES.flatMap((file) =>
  prose(readFileSync(file, 'utf8')).flatMap((line) =>
    [...line.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/i.test(target))
      .map((target) => ({ file, target })),
  ),
);

describe('links in the documentation', () => {
  it('are found (the check reads what it should)', () => {
    expect(links.length).toBeGreaterThan(100);
    expect(FILES.some((f) => f.endsWith(join('docs', 'terminal.md')))).toBe(true);
  });

  it.each(links.map((l) => [relative(root, l.file), l.target] as const))(
    '%s -> %s resolves',
    (from, target) => {
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const file = path === '' ? join(root, from) : join(dirname(join(root, from)), path);
      expect({ target, exists: existsSync(file) }).toEqual({ target, exists: true });
      if (anchor !== undefined && anchor !== '') {
        const where = statSync(file).isDirectory() ? join(file, 'README.md') : file;
        expect({ target, anchor: anchorsOf(where).has(decodeURIComponent(anchor)) }).toEqual({
          target,
          anchor: true,
        });
      }
    },
  );
});
