import MarkdownIt from 'markdown-it';

/**
 * The safe markdown subset: emphasis, strong, strikethrough, inline code, code blocks, block quotes, lists and
 * links (http, https and mailto only). Raw HTML is never passed through: markdown-it escapes it with html off.
 * Headings, tables, images and rules are not part of chat and render as their plain text.
 */
const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true, typographer: false });
md.enable([
  'emphasis',
  'strikethrough',
  'backticks',
  'fence',
  'code',
  'blockquote',
  'list',
  'link',
  'autolink',
  'linkify',
  'newline',
  'escape',
  'entity',
]);

const SAFE_LINK = /^(https?:|mailto:)/i;
md.validateLink = (url: string) => SAFE_LINK.test(url.trim());

const defaultLinkOpen = md.renderer.rules.link_open;
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  if (token) {
    token.attrSet('rel', 'nofollow noopener noreferrer');
    token.attrSet('target', '_blank');
  }
  return defaultLinkOpen
    ? defaultLinkOpen(tokens, idx, options, env, self)
    : self.renderToken(tokens, idx, options);
};

export function renderMarkdown(text: string): string {
  return md.render(text).trim();
}

/** Inline rendering: no paragraph wrapper, for one-line contexts such as `/me` actions. */
export function renderInline(text: string): string {
  return md.renderInline(text);
}
