import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlidingWindowLimiter } from '../../src/auth/index.js';
import { ManualClock } from '../../src/lib/clock.js';

describe('SlidingWindowLimiter', () => {
  it('admits `limit` takes per window and says when the oldest leaves it', () => {
    const clock = new ManualClock(1_000_000);
    const l = new SlidingWindowLimiter(clock, 2, 60_000);
    assert.equal(l.take('a').ok, true);
    clock.advance(10_000);
    assert.equal(l.take('a').ok, true);
    assert.deepEqual(l.take('a'), { ok: false, retryAfterMs: 50_000 });
    assert.equal(l.take('b').ok, true, 'keys are independent');
    clock.advance(50_000);
    assert.equal(l.take('a').ok, true);
    assert.deepEqual(l.take('a'), { ok: false, retryAfterMs: 10_000 });
  });

  it('gives a unit back on release, once', () => {
    const clock = new ManualClock(0);
    const l = new SlidingWindowLimiter(clock, 1, 1000);
    const a = l.take('k');
    assert.ok(a.ok);
    a.release();
    a.release();
    const b = l.take('k');
    assert.ok(b.ok);
    assert.equal(l.take('k').ok, false);
  });

  it('takes several units all or none, waiting until enough of them have left the window', () => {
    const clock = new ManualClock(0);
    const l = new SlidingWindowLimiter(clock, 5, 60_000);
    assert.equal(l.take('k', 2).ok, true);
    clock.advance(10_000);
    assert.equal(l.take('k', 2).ok, true);
    // 4 of 5 used: 3 more need the first two units (taken at 0) to leave the window
    assert.deepEqual(l.take('k', 3), { ok: false, retryAfterMs: 50_000 });
    const one = l.take('k', 1);
    assert.ok(one.ok, 'the refused take took nothing');
    assert.deepEqual(l.take('k', 6), { ok: false, retryAfterMs: Infinity });
    one.release();
    clock.advance(50_000);
    const three = l.take('k', 3);
    assert.ok(three.ok);
    three.release();
    assert.equal(l.take('k', 3).ok, true, 'release gave all three units back');
  });
});
