import type { NormalText } from './textNormal.js';

/**
 * Many phrases found in one pass (Aho-Corasick) over normalised text: a trie of the phrases with failure links,
 * so that each letter of the text costs one transition plus amortised failure steps (at most two per letter
 * overall). Phrases are plain letters, never patterns: nothing a user configures can make the scan backtrack.
 *
 * `anywhere` phrases cost constant work per letter (the node knows the most severe and the longest masking one
 * ending there). Whole-word phrases need the start of each match checked, so at a word end the chain of phrases
 * ending there is walked: each step a strictly shorter suffix, at most the longest phrase's length. The whole
 * scan is therefore at most `2 * letters + word ends * longest phrase` steps; `steps` counts them so that tests
 * can hold it to that.
 */

export interface MatcherPhrase {
  codes: readonly number[];
  /** `word`: only as whole words (a separator or an end of the text on both sides); `anywhere`: inside words too. */
  match: 'word' | 'anywhere';
  /** Higher wins where several phrases end at the same place. */
  severity: number;
  /** The caller's id for the phrase (its rule's index). */
  id: number;
}

interface Node {
  next: Map<number, number>;
  fail: number;
  depth: number;
  /** The most severe phrase ending exactly here, per kind of match (-1: none). */
  word: number;
  anywhere: number;
  /** The nearest proper suffix node where a phrase ends (-1: none). */
  dict: number;
  /**
   * Of the `anywhere` phrases ending here or at a suffix (which all match wherever this node is reached): the
   * most severe (the longest among equals) and the longest that masks, as phrase indexes (-1: none). They make
   * `anywhere` phrases cost nothing per letter beyond these two; only word ends walk the chain.
   */
  anyBest: number;
  anyMask: number;
}

export class PhraseMatcher {
  private readonly nodes: Node[] = [PhraseMatcher.node(0)];
  readonly longest: number;

  constructor(
    private readonly phrases: readonly MatcherPhrase[],
    /** Which severity masks (its span is replaced), so that the longest masking phrase is kept per node. */
    private readonly maskSeverity = -1,
  ) {
    let longest = 0;
    phrases.forEach((phrase, index) => {
      if (phrase.codes.length === 0) return;
      longest = Math.max(longest, phrase.codes.length);
      let at = 0;
      for (const code of phrase.codes) {
        let child = this.nodes[at]?.next.get(code);
        if (child === undefined) {
          child = this.nodes.length;
          this.nodes.push(PhraseMatcher.node((this.nodes[at]?.depth ?? 0) + 1));
          this.nodes[at]?.next.set(code, child);
        }
        at = child;
      }
      const end = this.nodeAt(at);
      if (phrase.match === 'word') end.word = this.stronger(end.word, index);
      else end.anywhere = this.stronger(end.anywhere, index);
    });
    this.longest = longest;
    this.link();
  }

  private static node(depth: number): Node {
    return { next: new Map(), fail: 0, depth, word: -1, anywhere: -1, dict: -1, anyBest: -1, anyMask: -1 };
  }

  private nodeAt(index: number): Node {
    const node = this.nodes[index];
    if (!node) throw new Error('phrase matcher: no such node');
    return node;
  }

  private stronger(current: number, candidate: number): number {
    if (current < 0) return candidate;
    if (candidate < 0) return current;
    const a = this.phrases[current]?.severity ?? 0;
    const b = this.phrases[candidate]?.severity ?? 0;
    return b > a ? candidate : current;
  }

  /** Failure and dictionary links, breadth first (a node's links depend only on shallower nodes). */
  private link(): void {
    const queue: number[] = [];
    for (const child of this.nodeAt(0).next.values()) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const index = queue[head] ?? 0;
      const node = this.nodeAt(index);
      const fail = this.nodeAt(node.fail);
      node.dict = fail.word >= 0 || fail.anywhere >= 0 ? node.fail : fail.dict;
      // The node's own phrase is longer than any of its suffix's: it comes first among equals.
      node.anyBest = this.stronger(node.anywhere, fail.anyBest);
      const ownMasks = node.anywhere >= 0 && this.phrases[node.anywhere]?.severity === this.maskSeverity;
      node.anyMask = ownMasks ? node.anywhere : fail.anyMask;
      for (const [code, child] of node.next) {
        let f = node.fail;
        while (f !== 0 && !this.nodeAt(f).next.has(code)) f = this.nodeAt(f).fail;
        const target = this.nodeAt(f).next.get(code);
        this.nodeAt(child).fail = target !== undefined && target !== child ? target : 0;
        queue.push(child);
      }
    }
  }

  /**
   * The walk's fields as flat arrays (built once after linking): the scan reads them at every letter, and plain
   * typed arrays keep it fast on a trie of tens of thousands of nodes.
   */
  private flat() {
    const id = (index: number) => (index < 0 ? -1 : (this.phrases[index]?.id ?? -1));
    const length = (index: number) => this.phrases[index]?.codes.length ?? 0;
    return {
      depth: Int32Array.from(this.nodes, (n) => n.depth),
      word: Int32Array.from(this.nodes, (n) => id(n.word)),
      dict: Int32Array.from(this.nodes, (n) => n.dict),
      anyBest: Int32Array.from(this.nodes, (n) => id(n.anyBest)),
      anyBestLength: Int32Array.from(this.nodes, (n) => length(n.anyBest)),
      anyMask: Int32Array.from(this.nodes, (n) => id(n.anyMask)),
      anyMaskLength: Int32Array.from(this.nodes, (n) => length(n.anyMask)),
    };
  }

  private flatCache: ReturnType<PhraseMatcher['flat']> | null = null;

  /**
   * Calls `onHit(id, from, to)` for every phrase found in the text (the most severe one per place and length;
   * `from` and `to` index its first and last normalised letter) and answers the steps it took.
   */
  scan(text: NormalText, onHit: (id: number, from: number, to: number) => void): { steps: number } {
    const flat = (this.flatCache ??= this.flat());
    let steps = 0;
    let state = 0;
    const { codes, wordStart, wordEnd } = text;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i] ?? 0;
      steps++;
      while (state !== 0 && !this.nodeAt(state).next.has(code)) {
        state = this.nodeAt(state).fail;
        steps++;
      }
      state = this.nodeAt(state).next.get(code) ?? 0;
      const best = flat.anyBest[state] ?? -1;
      if (best >= 0) onHit(best, i - (flat.anyBestLength[state] ?? 0) + 1, i);
      const mask = flat.anyMask[state] ?? -1;
      if (mask >= 0 && mask !== best) onHit(mask, i - (flat.anyMaskLength[state] ?? 0) + 1, i);
      if (wordEnd[i] !== true) continue;
      const here = this.nodeAt(state);
      for (let o = here.word >= 0 || here.anywhere >= 0 ? state : here.dict; o >= 0; o = flat.dict[o] ?? -1) {
        steps++;
        const from = i - (flat.depth[o] ?? 0) + 1;
        const word = flat.word[o] ?? -1;
        if (word >= 0 && wordStart[from] === true) onHit(word, from, i);
      }
    }
    return { steps };
  }
}
