import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../src/checks/concurrency.js';

describe('mapLimit', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const result = await mapLimit([30, 10, 20, 5, 15], 2, async (ms, i) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running -= 1;
      return `${i}:${ms}`;
    });
    expect(result).toEqual(['0:30', '1:10', '2:20', '3:5', '4:15']);
    expect(peak).toBe(2);
  });

  it('rejects with the first rejection', async () => {
    await expect(
      mapLimit([1, 2], 4, async (n) => (n === 2 ? Promise.reject(new Error('boom')) : n)),
    ).rejects.toThrow('boom');
  });

  it('returns an empty list for no items', async () => {
    expect(await mapLimit([], 3, async () => 1)).toEqual([]);
  });
});
