/**
 * A compressed (radix) trie from string prefixes to items. `collect(s)` visits the items of every stored
 * prefix of `s` in O(|s|) character comparisons, whatever the number of prefixes stored.
 */
interface TrieNode<T> {
  /** Edge label from the parent (empty for the root). */
  label: string;
  children: Map<number, TrieNode<T>> | undefined;
  items: T[] | undefined;
}

function node<T>(label: string): TrieNode<T> {
  return { label, children: undefined, items: undefined };
}

export class RadixTrie<T> {
  private readonly root: TrieNode<T> = node('');
  private count = 0;

  /** Number of (prefix, item) pairs stored. */
  get size(): number {
    return this.count;
  }

  insert(prefix: string, item: T): void {
    let n = this.root;
    let pos = 0;
    while (pos < prefix.length) {
      const code = prefix.charCodeAt(pos);
      const child = n.children?.get(code);
      if (child === undefined) {
        const leaf = node<T>(prefix.slice(pos));
        (n.children ??= new Map()).set(code, leaf);
        n = leaf;
        pos = prefix.length;
        break;
      }
      let l = 0;
      const max = Math.min(child.label.length, prefix.length - pos);
      while (l < max && child.label.charCodeAt(l) === prefix.charCodeAt(pos + l)) l++;
      if (l < child.label.length) {
        // split the edge: n → mid(label[0,l)) → child(label[l..])
        const mid = node<T>(child.label.slice(0, l));
        child.label = child.label.slice(l);
        mid.children = new Map([[child.label.charCodeAt(0), child]]);
        n.children!.set(code, mid);
        n = mid;
      } else n = child;
      pos += l;
    }
    (n.items ??= []).push(item);
    this.count++;
  }

  /** Remove one (prefix, item) pair; false if it was not stored. Empty nodes are left in place. */
  remove(prefix: string, item: T): boolean {
    let n: TrieNode<T> | undefined = this.root;
    let pos = 0;
    while (n !== undefined && pos < prefix.length) {
      const child: TrieNode<T> | undefined = n.children?.get(prefix.charCodeAt(pos));
      if (child === undefined || !prefix.startsWith(child.label, pos)) return false;
      pos += child.label.length;
      n = child;
    }
    const i = n?.items?.indexOf(item) ?? -1;
    if (n === undefined || n.items === undefined || i < 0) return false;
    n.items.splice(i, 1);
    if (n.items.length === 0) n.items = undefined;
    this.count--;
    return true;
  }

  /** Call `visit` for each item whose prefix is a prefix of `s` (shortest prefixes first). */
  collect(s: string, visit: (item: T) => void): void {
    let n: TrieNode<T> = this.root;
    let pos = 0;
    for (;;) {
      if (n.items !== undefined) for (const it of n.items) visit(it);
      if (pos >= s.length || n.children === undefined) return;
      const child = n.children.get(s.charCodeAt(pos));
      if (child === undefined || !s.startsWith(child.label, pos)) return;
      pos += child.label.length;
      n = child;
    }
  }
}
