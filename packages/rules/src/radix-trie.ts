/**
 * A compressed (radix) trie from string prefixes to items. `collect(s, out)` appends the items of every
 * stored prefix of `s` in O(|s|) character comparisons, whatever the number of prefixes stored.
 *
 * Compact for 100,000s of prefixes: a node's children are an array beside a string of their first
 * characters (`firsts.indexOf(c)`: fan-outs are small — digits, letters, `/`), not a Map; a node with one
 * item holds it directly, not in an array.
 */
class TrieNode<T> {
  constructor(
    /** Edge label from the parent (empty for the root). */
    public label: string,
    /** First character of each child's label, in `kids` order. */
    public firsts = '',
    public kids: Array<TrieNode<T>> | undefined = undefined,
    public items: T | T[] | undefined = undefined,
  ) {}
}

function childAt<T>(n: TrieNode<T>, s: string, pos: number): TrieNode<T> | undefined {
  const kids = n.kids;
  if (kids === undefined) return undefined;
  const c = s.charCodeAt(pos);
  const firsts = n.firsts;
  for (let i = 0; i < firsts.length; i++) if (firsts.charCodeAt(i) === c) return kids[i];
  return undefined;
}

/** s[pos…] starts with `label` (inline loop: no builtin call on the lookup path). */
function startsAt(s: string, label: string, pos: number): boolean {
  if (pos + label.length > s.length) return false;
  for (let i = 0; i < label.length; i++) if (s.charCodeAt(pos + i) !== label.charCodeAt(i)) return false;
  return true;
}

export class RadixTrie<T> {
  private readonly root = new TrieNode<T>('');
  private count = 0;

  /** Number of (prefix, item) pairs stored. */
  get size(): number {
    return this.count;
  }

  insert(prefix: string, item: T): void {
    let n = this.root;
    let pos = 0;
    while (pos < prefix.length) {
      const child = childAt(n, prefix, pos);
      if (child === undefined) {
        const leaf = new TrieNode<T>(prefix.slice(pos));
        n.firsts += prefix.charAt(pos);
        (n.kids ??= []).push(leaf);
        n = leaf;
        break;
      }
      let l = 0;
      const max = Math.min(child.label.length, prefix.length - pos);
      while (l < max && child.label.charCodeAt(l) === prefix.charCodeAt(pos + l)) l++;
      if (l < child.label.length) {
        // split the edge: n → mid(label[0,l)) → child(label[l..])
        const mid = new TrieNode<T>(child.label.slice(0, l));
        child.label = child.label.slice(l);
        mid.firsts = child.label.charAt(0);
        mid.kids = [child];
        n.kids![n.firsts.indexOf(prefix.charAt(pos))] = mid;
        n = mid;
      } else n = child;
      pos += l;
    }
    if (n.items === undefined) n.items = item;
    else if (Array.isArray(n.items)) n.items.push(item);
    else n.items = [n.items, item];
    this.count++;
  }

  /** Remove one (prefix, item) pair; false if it was not stored. Empty nodes are left in place. */
  remove(prefix: string, item: T): boolean {
    let n: TrieNode<T> | undefined = this.root;
    let pos = 0;
    while (n !== undefined && pos < prefix.length) {
      const child: TrieNode<T> | undefined = childAt(n, prefix, pos);
      if (child === undefined || !prefix.startsWith(child.label, pos)) return false;
      pos += child.label.length;
      n = child;
    }
    if (n === undefined || n.items === undefined) return false;
    if (Array.isArray(n.items)) {
      const i = n.items.indexOf(item);
      if (i < 0) return false;
      n.items.splice(i, 1);
      if (n.items.length === 1) n.items = n.items[0];
    } else if (n.items === item) n.items = undefined;
    else return false;
    this.count--;
    return true;
  }

  /** Append to `out` each item whose prefix is a prefix of `s` (shortest prefixes first). */
  collect(s: string, out: T[]): void {
    let n: TrieNode<T> = this.root;
    let pos = 0;
    for (;;) {
      const items = n.items;
      if (items !== undefined) {
        if (Array.isArray(items)) for (const it of items) out.push(it);
        else out.push(items);
      }
      if (pos >= s.length) return;
      const child = childAt(n, s, pos);
      if (child === undefined || !startsAt(s, child.label, pos)) return;
      pos += child.label.length;
      n = child;
    }
  }
}
