/**
 * The widget's languages, how a widget picks one, and lookups in the chosen catalogue (parameters, plurals,
 * times). The admin console stays English and does not use this.
 */
import { de } from './de.js';
import { en, type Catalogue, type PluralKey, type TextKey } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { ja } from './ja.js';
import { pt } from './pt.js';
import { ru } from './ru.js';

export const CATALOGUES: Readonly<Record<string, Catalogue>> = { en, es, fr, de, pt, ru, ja };
export const LANGUAGES = Object.keys(CATALOGUES);

export type Params = Readonly<Record<string, string | number>>;

/** `{name}` → params.name; a placeholder without a value stays as it is (the test keeps them in step). */
export function fill(text: string, params: Params = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** One language's words and formats. */
export class Texts {
  private readonly plurals: Intl.PluralRules;
  private readonly short: Intl.DateTimeFormat;
  private readonly full: Intl.DateTimeFormat;

  constructor(
    readonly lang: string,
    private readonly catalogue: Catalogue,
  ) {
    this.plurals = new Intl.PluralRules(lang);
    this.short = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
    this.full = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  }

  t(key: TextKey, params?: Params): string {
    return fill(this.catalogue[key], params);
  }

  /** A counted text: the plural form for `count` in this language, with `{count}` filled in. */
  n(key: PluralKey, count: number, params: Params = {}): string {
    const forms = this.catalogue[key];
    const form = forms[this.plurals.select(count)] ?? forms.other;
    return fill(form, { ...params, count });
  }

  shortTime(ms: number): string {
    return this.short.format(ms);
  }

  fullTime(ms: number): string {
    return this.full.format(ms);
  }
}

const made = new Map<string, Texts>();

/** The catalogue for a language tag, on its primary subtag (`pt-BR` → `pt`); unknown: English. */
export function textsFor(tag: string | null | undefined): Texts {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  const lang = primary in CATALOGUES ? primary : 'en';
  let texts = made.get(lang);
  if (!texts) {
    texts = new Texts(lang, CATALOGUES[lang] ?? en);
    made.set(lang, texts);
  }
  return texts;
}
