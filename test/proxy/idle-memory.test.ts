/**
 * Airlock gives back the memory a burst of agents made V8's young generation grow to, once
 * it is idle: the real collection on this process's own heap, and the decision of when.
 */
import { describe, expect, it } from 'vitest';
import { IdleMemoryTrim, USUAL_YOUNG_BYTES, memoryReducingGc, youngGenerationBytes } from '../../main/core/idle-memory.ts';

async function growYoungGeneration(): Promise<number> {
  const kept: number[] = [];
  // Short-lived objects at a high rate, as many concurrent requests make: V8 grows new space.
  for (let round = 0; round < 400 && youngGenerationBytes() <= 4 * USUAL_YOUNG_BYTES; round++) {
    const batch: Array<{ i: number; s: string }> = [];
    for (let i = 0; i < 100_000; i++) batch.push({ i, s: `x${i}` });
    kept.push(batch.length);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return youngGenerationBytes();
}

describe('idle memory', () => {
  it('the memory-reducing collection shrinks a young generation that grew under load back to its usual size', async () => {
    const gc = memoryReducingGc();
    expect(gc).toBeTypeOf('function');
    expect(await growYoungGeneration()).toBeGreaterThan(USUAL_YOUNG_BYTES);
    gc!();
    expect(youngGenerationBytes()).toBeLessThanOrEqual(USUAL_YOUNG_BYTES);
  });

  it('collects only when the last interval was idle and the young generation is above its usual size', () => {
    let cpu = 0;
    let now = 0;
    let young = 128 * 2 ** 20;
    let collections = 0;
    const trim = new IdleMemoryTrim({
      gc: () => {
        collections++;
        young = 1 * 2 ** 20;
      },
      youngBytes: () => young,
      cpuMicros: () => cpu,
      now: () => now,
    });
    // Busy: half a core over 10 s.
    cpu += 5_000_000;
    now += 10_000;
    expect(trim.check()).toBe(false);
    // Quiet: 20 ms of CPU over 10 s.
    cpu += 20_000;
    now += 10_000;
    expect(trim.check()).toBe(true);
    expect(collections).toBe(1);
    // Still quiet, but nothing to give back.
    now += 10_000;
    expect(trim.check()).toBe(false);
    expect(collections).toBe(1);
  });

  it('without a way to collect it never tries', () => {
    const trim = new IdleMemoryTrim({ gc: undefined, youngBytes: () => 128 * 2 ** 20, cpuMicros: () => 0, now: () => 0 });
    expect(trim.check()).toBe(false);
  });
});
