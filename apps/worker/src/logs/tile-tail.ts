/**
 * When a tile log's follower reads the partial tile at the end of the tree (DESIGN.md "The follower": "fetch
 * a full tile once, a partial tile only when the checkpoint has not moved on for a while").
 *
 * A checkpoint of size S ends inside entry bundle ⌊S/256⌋ unless S is a multiple of 256. Full bundles are read
 * at once. The partial tail [max(verified, ⌊S/256⌋·256), S) is read once its first entry has been in view for
 * `waitMs`: on a quiet log that is "the checkpoint stayed at its size for `waitMs`"; on a log that keeps
 * growing slowly the tail is still read every `waitMs`, so the verified size lags the log's by fewer than 256
 * entries for at most `waitMs` (plus the poll that reads it). A tail whose tile fills meanwhile is read as a
 * full bundle and never fetched partial. `waitMs` 0 reads every tail at once (backfill, benchmarks).
 */
import { TILE_WIDTH } from '@sigwatch/tlog';

const WIDTH = BigInt(TILE_WIDTH);

export class PartialTileHold {
  /** First unread entry of the partial tail being held, and when it came into view. */
  private held: { first: bigint; since: number } | undefined;

  constructor(
    readonly waitMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where to stop reading now, in [verifiedSize, headSize]: headSize, or the start of the tail still held. */
  end(headSize: bigint, verifiedSize: bigint): bigint {
    const full = headSize - (headSize % WIDTH);
    const first = full > verifiedSize ? full : verifiedSize;
    if (this.waitMs <= 0 || first >= headSize) {
      this.held = undefined;
      return headSize;
    }
    const now = this.now();
    // The same first entry as before keeps its clock (also when the poll that was to read it failed).
    if (this.held?.first !== first) this.held = { first, since: now };
    return now - this.held.since >= this.waitMs ? headSize : first;
  }
}
