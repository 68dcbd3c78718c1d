// The layout issue 25 asked for (STYLE.md, "Layout"): a framework-free core that no front is
// imported by, fronts that own their I/O, and no import cycle. Read from the sources' run-time
// imports (`import type` is erased by the compiler and does not count).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const LIB = join(__dirname, '..', 'lib');
const files = readdirSync(LIB, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'));

/** The run-time imports of a module: lib-relative paths of its own modules, and Node's by name. */
function importsOf(file: string): { own: string[]; builtins: string[] } {
  const source = readFileSync(join(LIB, file), 'utf8');
  const own: string[] = [];
  const builtins: string[] = [];
  for (const [, clause, spec] of source.matchAll(/^import\s+([^'";]*?)\s*from\s+'([^']+)';/gms)) {
    // `import type { ... }` and `import { type A, type B }` bring nothing at run time.
    if (/^type\s/.test(clause!)) continue;
    const names = /^\{([^}]*)\}$/s.exec(clause!.trim());
    if (names?.[1]?.split(',').every((n) => n.trim() === '' || /^type\s/.test(n.trim()))) {
      continue;
    }
    if (spec!.startsWith('.'))
      own.push(normalize(join(dirname(file), spec!.replace(/\.js$/, '.ts'))));
    else builtins.push(spec!);
  }
  return { own, builtins };
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Every module `file` loads at run time, itself included. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const next of graph.get(file)!.own) closure(next, seen);
  return seen;
}

describe('the layout', () => {
  it('reads the imports it checks (the test sees a known import)', () => {
    expect(graph.get('node/middleware.ts')!.own).toContain('core/plan.ts');
    expect(graph.get('node/vary.ts')!.builtins).toEqual(['node:http']);
    expect(graph.get('core/options.ts')!.own).not.toContain('core/cache.ts'); // a type import
  });

  it('keeps the core framework-free: it imports no front and no Node module', () => {
    for (const file of files.filter((f) => f.startsWith('core/'))) {
      const { own, builtins } = graph.get(file)!;
      expect({ file, builtins }).toEqual({ file, builtins: [] });
      expect({ file, fronts: own.filter((m) => !m.startsWith('core/')) }).toEqual({
        file,
        fronts: [],
      });
    }
  });

  it('loads no Node module with corsguard/fetch (it runs in workerd without nodejs_compat)', () => {
    const loaded = [...closure('fetch/index.ts')];
    expect(loaded.filter((m) => !m.startsWith('core/') && m !== 'fetch/index.ts')).toEqual([]);
    expect(loaded.flatMap((m) => graph.get(m)!.builtins)).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      const at = path.indexOf(file);
      if (at >= 0) {
        cycles.push([...path.slice(at), file].join(' -> '));
        return;
      }
      for (const next of graph.get(file)!.own) visit(next, [...path, file]);
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
