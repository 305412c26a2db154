/**
 * The index's per-rule records as parallel arrays indexed by a small integer id (struct of arrays), so
 * that 100,000 rules are ~24 bytes each in a few arrays instead of 100,000 objects of ~84 bytes that the
 * garbage collector walks and that fragment old space. Postings file the id (a small integer, stored in
 * place by V8), not an object. Ids of released entries are reused.
 */
const INITIAL = 1024;

export class EntryTable {
  /** Address and byte length of the rule's JSON in the index's TextArena. */
  at = new Int32Array(INITIAL);
  bytes = new Int32Array(INITIAL);
  /** Number of the field the rule is filed under; -1: the scan list. */
  field = new Int32Array(INITIAL);
  /** Generation of the last lookup that collected the entry (dedup without a Set). */
  stamp = new Int32Array(INITIAL);
  /** Subscription and rule ids ('' for a free slot). */
  readonly subscription: string[] = [];
  readonly ruleId: string[] = [];
  private readonly free: number[] = [];
  private next = 0;

  /** Number of live entries. */
  get size(): number {
    return this.next - this.free.length;
  }

  alloc(subscriptionId: string, ruleId: string, at: number, bytes: number, field: number): number {
    const id = this.free.pop() ?? this.next++;
    if (id === this.at.length) this.grow();
    this.at[id] = at;
    this.bytes[id] = bytes;
    this.field[id] = field;
    this.stamp[id] = 0;
    this.subscription[id] = subscriptionId;
    this.ruleId[id] = ruleId;
    return id;
  }

  release(id: number): void {
    this.subscription[id] = '';
    this.ruleId[id] = '';
    this.free.push(id);
  }

  /** Forget every stamp (when the generation counter wraps around). */
  clearStamps(): void {
    this.stamp.fill(0);
  }

  private grow(): void {
    const more = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.at = more(this.at);
    this.bytes = more(this.bytes);
    this.field = more(this.field);
    this.stamp = more(this.stamp);
  }
}
