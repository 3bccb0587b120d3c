/**
 * The fuzz campaign earns its keep: a reassembler with a bug planted on
 * purpose (it loses one-byte fragments, the classic `length > 1` slip that
 * bites when a reply's length field straddles two notifications) is caught
 * by the reassembly property, and fast-check shrinks the failure to a tiny
 * case that a person can read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataSourceReassembler, DataSourceReply } from '../../../src/protocol/ancs';
import { ReassemblerLike, checkReassembly, reassemblyProperty } from '../../../src/harness/fuzz/ancs-codec';
import { runCampaign, checker } from '../../../src/harness/fuzz/campaign';

class LosesOneByteFragments implements ReassemblerLike {
  private readonly inner = new DataSourceReassembler();
  expect(e: Parameters<DataSourceReassembler['expect']>[0]): void {
    this.inner.expect(e);
  }
  push(fragment: Uint8Array): DataSourceReply[] {
    if (fragment.length <= 1) return []; // the planted bug
    return this.inner.push(fragment);
  }
  get busy(): boolean {
    return this.inner.busy;
  }
}

test('the planted reassembler fault is found and shrunk to a minimal case', () => {
  const details = fc.check(reassemblyProperty(() => new LosesOneByteFragments())(() => undefined), { seed: 42, numRuns: 2000 });
  assert.equal(details.failed, true, 'the campaign missed the planted fault');
  const [replies, sizes] = details.counterexample as [DataSourceReply[], number[]];
  // Shrunk: a single reply with no attribute values to speak of, cut into one-byte pieces.
  assert.equal(replies.length, 1, JSON.stringify(details.counterexample));
  assert.ok(replies[0] && replies[0].attributes.length <= 1);
  assert.deepEqual(sizes, [1]);
  // The shrunk case reproduces on its own, and the real reassembler passes it.
  assert.throws(() => checkReassembly(replies, sizes, () => new LosesOneByteFragments()));
  checkReassembly(replies, sizes);
});

test('a campaign run reports the failure with a replay command that reproduces it', async () => {
  const campaign = [{ name: 'reassembly', description: 'planted', weight: 1, check: checker(reassemblyProperty(() => new LosesOneByteFragments())) }];
  const result = await runCampaign('notifications', campaign, { runs: 500, seed: 7 });
  assert.equal(result.ok, false);
  const outcome = result.outcomes[0];
  assert.ok(outcome?.failed && outcome.path);
  assert.match(result.replay ?? '', /^phonebridge fuzz notifications --only reassembly --seed 7 --path \S+ --runs 1$/);
  // Replaying the printed seed and path gives the same shrunk counterexample at once.
  const replay = await runCampaign('notifications', campaign, { runs: 1, seed: outcome.seed, path: outcome.path });
  assert.equal(replay.ok, false);
  assert.deepEqual(JSON.stringify(replay.outcomes[0]?.counterexample), JSON.stringify(outcome.counterexample));
});

test('the real reassembler passes the same campaign', async () => {
  const result = await runCampaign('notifications', [{ name: 'reassembly', description: 'real', weight: 1, check: checker(reassemblyProperty()) }], { runs: 300, seed: 7 });
  assert.equal(result.ok, true);
});
