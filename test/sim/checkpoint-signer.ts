/**
 * Signs a log's checkpoints (C2SP signed notes), honestly or per the active misbehaviour: `unknown-key`
 * signs with a key that is in no trusted root (same key name), `bad-checkpoint-signature` flips one bit of
 * the real signature. Signed notes are cached per (text, mode) so polling costs no signatures.
 */
import { parseNote, formatNote, signCheckpoint, type NoteSigner } from '@sigwatch/tlog';

export type CheckpointFlavor = 'honest' | 'unknown-key' | 'bad-signature';

export class CheckpointSigner {
  readonly #honest: NoteSigner;
  readonly #rogue: NoteSigner;
  readonly #cache = new Map<string, string>();

  constructor(honest: NoteSigner, rogue: NoteSigner) {
    this.#honest = honest;
    this.#rogue = rogue;
  }

  sign(origin: string, size: number, root: Uint8Array, flavor: CheckpointFlavor, extensions: string[] = []): string {
    const key = `${flavor}|${origin}|${size}|${Buffer.from(root).toString('hex')}|${extensions.join(',')}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const body = { origin, size: BigInt(size), rootHash: root, extensions };
    let note = signCheckpoint(body, [flavor === 'unknown-key' ? this.#rogue : this.#honest]);
    if (flavor === 'bad-signature') {
      const parsed = parseNote(note);
      const sig = parsed.signatures[0]!;
      const flipped = sig.signature.slice();
      flipped[flipped.length - 1]! ^= 0x01;
      note = formatNote({ text: parsed.text, signatures: [{ ...sig, signature: flipped }] });
    }
    if (this.#cache.size > 64) this.#cache.clear();
    this.#cache.set(key, note);
    return note;
  }
}
