/**
 * The widget's translations: every language has every key, nothing empty, the same parameters as English,
 * the plural forms its language needs; and no English literal left in the widget's templates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en, type Plural } from '../../web/widget/i18n/en.js';
import { CATALOGUES, fill, textsFor } from '../../web/widget/i18n/texts.js';

const LANGS = ['en', 'es', 'fr', 'de', 'pt', 'ru', 'ja'];
const KEYS = Object.keys(en).sort();

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}

/** Every text of an entry: the string, or each plural form. */
function forms(value: string | Plural): [string, string][] {
  return typeof value === 'string' ? [['', value]] : Object.entries(value).map(([k, v]) => [k, v ?? '']);
}

describe('widget catalogues', () => {
  it('offers the languages the docs list', () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual([...LANGS].sort());
  });

  for (const lang of LANGS) {
    const catalogue = CATALOGUES[lang] as unknown as Record<string, string | Plural>;
    it(`${lang}: every key of English, no other, none empty, same parameters`, () => {
      expect(Object.keys(catalogue).sort()).toEqual(KEYS);
      for (const key of KEYS) {
        const english = en[key as keyof typeof en] as string | Plural;
        const value = catalogue[key];
        expect(value, key).toBeDefined();
        if (value === undefined) continue;
        expect(typeof value, key).toBe(typeof english);
        const wanted = placeholders(typeof english === 'string' ? english : english.other);
        for (const [form, text] of forms(value)) {
          expect(text.trim(), `${lang}.${key} ${form}`).not.toBe('');
          expect(placeholders(text), `${lang}.${key} ${form}`).toEqual(wanted);
        }
      }
    });

    it(`${lang}: plural forms are the language's own, with every form its counts use`, () => {
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      // Forms for round large numbers (Spanish, French, Portuguese "many": 1 000 000) may fall back to `other`.
      const needed = categories.filter((c) => c !== 'other' && !(c === 'many' && lang !== 'ru'));
      for (const [key, value] of Object.entries(catalogue)) {
        if (typeof value === 'string') continue;
        expect(value.other, key).toBeTruthy();
        for (const form of Object.keys(value)) expect(categories, `${lang}.${key}`).toContain(form);
        for (const form of needed) expect(Object.keys(value), `${lang}.${key}`).toContain(form);
      }
    });
  }

  it('picks plural forms and fills parameters', () => {
    const ru = textsFor('ru');
    expect(ru.n('replies', 1)).toBe('1 ответ');
    expect(ru.n('replies', 3)).toBe('3 ответа');
    expect(ru.n('replies', 5)).toBe('5 ответов');
    expect(ru.n('replies', 21)).toBe('21 ответ');
    expect(textsFor('en').n('replies', 1)).toBe('1 reply');
    expect(textsFor('en').n('replies', 2)).toBe('2 replies');
    expect(textsFor('ja').n('replies', 2)).toBe('返信 2 件');
    expect(textsFor('es').t('joinIntro', { room: 'lobby' })).toBe(
      'Elige un apodo para chatear en #lobby. No hace falta cuenta.',
    );
    expect(fill('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });

  it('matches a language on its primary subtag; unknown is English', () => {
    expect(textsFor('pt-BR').lang).toBe('pt');
    expect(textsFor('de_AT').lang).toBe('de');
    expect(textsFor('JA').lang).toBe('ja');
    expect(textsFor('xx-YY').lang).toBe('en');
    expect(textsFor('').lang).toBe('en');
    expect(textsFor('fr').shortTime(Date.UTC(2026, 0, 1, 15, 4))).toMatch(/\d\d:04/);
  });
});

// ------------------------------------------------------------------ no English left in the templates

/** The static parts of every html`…` template of a source file, `${…}` replaced by \u0000. */
function templates(source: string): string[] {
  const out: string[] = [];
  let i = 0;
  const skipExpression = (): void => {
    // At the character after `${`: to its matching `}`, through strings and nested templates.
    let depth = 1;
    while (i < source.length && depth > 0) {
      const c = source[i];
      if (source.startsWith('html`', i)) {
        i += 5;
        readTemplate(true);
        continue;
      }
      if (c === '`') {
        i++;
        readTemplate(false);
        continue;
      }
      if (c === "'" || c === '"') {
        const quote = c;
        i++;
        while (i < source.length && source[i] !== quote) i += source[i] === '\\' ? 2 : 1;
      } else if (c === '{') depth++;
      else if (c === '}') depth--;
      i++;
    }
  };
  const readTemplate = (keep: boolean): void => {
    // At the character after the opening backtick: to the closing one.
    let text = '';
    while (i < source.length && source[i] !== '`') {
      if (source[i] === '\\') {
        text += source.slice(i, i + 2);
        i += 2;
      } else if (source.startsWith('${', i)) {
        i += 2;
        skipExpression();
        text += '\u0000';
      } else text += source[i++];
    }
    i++;
    if (keep) out.push(text);
  };
  while (i < source.length) {
    if (source.startsWith('html`', i)) {
      i += 5;
      readTemplate(true);
    } else if (source[i] === '`') {
      i++;
      readTemplate(false);
    } else i++;
  }
  return out;
}

/** Words a person would read, written straight into a template instead of looked up in the catalogue. */
function literals(template: string): string[] {
  const found: string[] = [];
  for (const m of template.matchAll(/\s(aria-label|placeholder|title|alt)="([^"]*)"/g)) {
    if (/\p{L}{2,}/u.test(m[2] ?? '')) found.push(`${m[1]}="${m[2]}"`);
  }
  const text = template.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, '\u0000');
  for (const piece of text.split('\u0000')) {
    if (/\p{L}{2,}/u.test(piece)) found.push(piece.trim());
  }
  return found;
}

/** Template text that is not for reading (none today); each entry says why. */
const ALLOWED: readonly string[] = [];

/** Capitalised string literals anywhere in a file ('Start chatting', 'Loading…'): words chosen in an expression. */
function capitalised(source: string): string[] {
  return [...source.matchAll(/'([A-Z][a-z][^'\n]*)'/g)]
    .map((m) => m[1] ?? '')
    .filter((s) => !KEY_NAMES.includes(s));
}

/** KeyboardEvent.key values the views compare with. */
const KEY_NAMES: readonly string[] = ['Enter', 'Escape', 'ArrowUp', 'ArrowDown', 'Tab'];

describe('widget templates', () => {
  it('finds English written into a template (the check can fail)', () => {
    const sample =
      'const a = html`<p title="Hello there">Join ${x ? html`<b>now</b>` : y}</p>`; const b = `plain ${1}`;';
    expect(capitalised(`x ? 'Joining…' : 'Start chatting'; e.key === 'Escape'`)).toEqual([
      'Joining…',
      'Start chatting',
    ]);
    expect(templates(sample).flatMap(literals).sort()).toEqual(['Join', 'now', 'title="Hello there"']);
  });

  it('has no user-visible English literal in the views or the element', () => {
    const root = join(import.meta.dirname, '../../web/widget');
    const files = [
      ...readdirSync(join(root, 'views')).map((f) => join(root, 'views', f)),
      join(root, 'element.ts'),
    ].filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const found = files.flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      return [...templates(source).flatMap(literals), ...capitalised(source)]
        .filter((l) => !ALLOWED.includes(l))
        .map((l) => `${file.slice(root.length + 1)}: ${l}`);
    });
    expect(found).toEqual([]);
  });
});
