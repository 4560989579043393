/**
 * The typed client is published on its own (packages/client, `parley-chat-client`): its code and its emitted
 * declarations may reach nothing of Parley's but src/client and src/protocol, and src/protocol nothing but
 * itself. Read with the TypeScript compiler itself, so that type-only imports, re-exports and `import()` count
 * as much as value imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const srcDir = join(root, 'src');
/** Packages the client loads; anything else bare would be a new dependency of the published client. */
const PACKAGES = new Set(['socket.io-client', 'ws']);

function sourceFiles(folder: string): string[] {
  const dir = join(srcDir, folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => join(dir, name));
}

/** Every module specifier a piece of TypeScript names: imports, re-exports, `import()` and import types. */
function specifiers(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  const names = info.importedFiles.map((ref) => ref.fileName);
  // preProcessFile does not see `import("…")` inside type positions, which declaration files are full of.
  for (const match of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) names.push(match[1] as string);
  return names;
}

/** Where `specifier` from `file` lands: a path relative to src/, or the bare package name. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return relative(srcDir, resolve(dirname(file), specifier))
    .split('\\')
    .join('/');
}

function violations(files: Map<string, string>, allowed: (target: string) => boolean): string[] {
  const found: string[] = [];
  for (const [file, text] of files) {
    for (const specifier of specifiers(text)) {
      const to = target(file, specifier);
      if (!allowed(to)) found.push(`${relative(srcDir, file)} → ${specifier}`);
    }
  }
  return found;
}

const inside =
  (...folders: string[]) =>
  (to: string): boolean =>
    folders.some((folder) => to.startsWith(`${folder}/`)) || PACKAGES.has(to);

function read(paths: string[]): Map<string, string> {
  return new Map(paths.map((path) => [path, readFileSync(path, 'utf8')]));
}

describe('the client and the protocol stand alone', () => {
  it('src/protocol imports nothing outside itself', () => {
    const files = read(sourceFiles('protocol'));
    expect(files.size).toBeGreaterThan(0);
    expect(violations(files, (to) => to.startsWith('protocol/'))).toEqual([]);
  });

  it('src/client imports nothing of Parley but src/client and src/protocol', () => {
    const files = read(sourceFiles('client'));
    expect(files.size).toBeGreaterThan(0);
    expect(violations(files, inside('client', 'protocol'))).toEqual([]);
  });

  it('the client package (packages/client) depends on exactly the packages the client loads', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages/client/package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual([...PACKAGES].sort());
  });

  it("the client's emitted declarations reference nothing outside client/ and protocol/", () => {
    const config = ts.readConfigFile(join(root, 'tsconfig.build.json'), (path) => ts.sys.readFile(path));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const options: ts.CompilerOptions = {
      ...parsed.options,
      outDir: join(root, 'dist'),
      declaration: true,
      emitDeclarationOnly: true,
      sourceMap: false,
      declarationMap: false,
      noEmit: false,
    };
    // Only the client's entry point as root: the program holds what it reaches, as a consumer's compiler would.
    const program = ts.createProgram([join(srcDir, 'client/index.ts')], options);
    const emitted = new Map<string, string>();
    const result = program.emit(undefined, (fileName, text) => {
      // Declarations land in dist/ as the sources sit in src/: read them as if they were there.
      emitted.set(join(srcDir, relative(join(root, 'dist'), fileName)), text);
    });
    expect(result.emitSkipped).toBe(false);
    const declarations = new Map([...emitted].filter(([file]) => file.endsWith('.d.ts')));
    expect([...declarations.keys()].map((file) => relative(srcDir, file)).sort()).toContain(
      'client/index.d.ts',
    );
    const outside = [...declarations.keys()]
      .map((file) => relative(srcDir, file))
      .filter((file) => !inside('client', 'protocol')(file));
    expect(outside, 'the client reaches these files').toEqual([]);
    expect(violations(declarations, inside('client', 'protocol'))).toEqual([]);
  });
});
