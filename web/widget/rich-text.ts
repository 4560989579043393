/**
 * Message bodies: the server's `html` (its safe markdown subset) turned into fresh DOM nodes through an
 * allow-list, with @mentions highlighted. The markup is parsed in an inert <template> (no scripts run, no
 * images load), and only allowed elements and attributes are re-created: defence in depth on top of the
 * server's own rendering. A client's own text is never parsed as HTML anywhere in the widget.
 */

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  P: [],
  BR: [],
  EM: [],
  STRONG: [],
  S: [],
  DEL: [],
  CODE: [],
  PRE: [],
  BLOCKQUOTE: [],
  UL: [],
  OL: ['start'],
  LI: [],
  A: ['href'],
};

/** Elements whose text is dropped with them. */
const DROPPED = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT', 'NOSCRIPT', 'SVG', 'MATH']);

const SAFE_HREF = /^(https?:|mailto:)/i;
const MENTION = /(^|[^\w@])@([A-Za-z0-9_.-]{1,32})/g;

function appendText(text: string, parent: Node, me: string | null, plain: boolean): void {
  const doc = parent.ownerDocument ?? document;
  if (plain) {
    parent.appendChild(doc.createTextNode(text));
    return;
  }
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    const lead = match[1] ?? '';
    const name = (match[2] ?? '').replace(/[.-]+$/, '');
    if (!name) continue;
    const start = (match.index ?? 0) + lead.length;
    if (start > last) parent.appendChild(doc.createTextNode(text.slice(last, start)));
    const span = doc.createElement('span');
    span.className = me !== null && name.toLowerCase() === me.toLowerCase() ? 'mention me' : 'mention';
    span.textContent = `@${name}`;
    parent.appendChild(span);
    last = start + name.length + 1;
  }
  if (last < text.length) parent.appendChild(doc.createTextNode(text.slice(last)));
}

function copyChildren(from: Node, to: Node, me: string | null, plain: boolean): void {
  const doc = to.ownerDocument ?? document;
  for (const node of Array.from(from.childNodes)) {
    if (node.nodeType === Node.TEXT_NODE) {
      appendText(node.nodeValue ?? '', to, me, plain);
      continue;
    }
    if (!(node instanceof Element)) continue;
    const tag = node.tagName.toUpperCase();
    if (DROPPED.has(tag)) continue;
    const attrs = ALLOWED[tag];
    if (!attrs) {
      copyChildren(node, to, me, plain); // unknown element: keep its text only
      continue;
    }
    const copy = doc.createElement(tag.toLowerCase());
    for (const name of attrs) {
      const value = node.getAttribute(name);
      if (value === null) continue;
      if (name === 'href' && !SAFE_HREF.test(value.trim())) continue;
      if (name === 'start' && !/^\d{1,6}$/.test(value)) continue;
      copy.setAttribute(name, value);
    }
    if (tag === 'A') {
      copy.setAttribute('rel', 'nofollow noopener noreferrer');
      copy.setAttribute('target', '_blank');
    }
    copyChildren(node, copy, me, plain || tag === 'A' || tag === 'CODE' || tag === 'PRE');
    to.appendChild(copy);
  }
}

/** The server's safe html as a detached element, ready to be placed in the message list. */
export function renderRichText(html: string, me: string | null): HTMLElement {
  const template = document.createElement('template');
  template.innerHTML = html;
  const body = document.createElement('div');
  body.className = 'body';
  copyChildren(template.content, body, me, false);
  return body;
}

/** True when `text` (the raw markdown) mentions `name`. */
export function mentions(text: string, name: string): boolean {
  const wanted = name.toLowerCase();
  for (const match of text.matchAll(MENTION)) {
    if ((match[2] ?? '').replace(/[.-]+$/, '').toLowerCase() === wanted) return true;
  }
  return false;
}
