import { describe, expect, it } from 'vitest';
import { KeyedSequencer } from './keyed-sequencer';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedSequencer', () => {
  it('runs tasks of one key one at a time, in call order', async () => {
    const sequencer = new KeyedSequencer();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`start ${name}`);
      await tick(ms);
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      sequencer.run('k', task('a', 20)),
      sequencer.run('k', task('b', 1)),
      sequencer.run('k', task('c', 5)),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    await tick(0);
    expect(sequencer.activeKeys).toBe(0);
  });

  it('a failure reaches its caller and does not block the next task', async () => {
    const sequencer = new KeyedSequencer();
    const failed = sequencer.run('k', () => Promise.reject(new Error('boom')));
    const next = sequencer.run('k', async () => 'after');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('after');
  });

  it('different keys run concurrently', async () => {
    const sequencer = new KeyedSequencer();
    const events: string[] = [];
    await Promise.all([
      sequencer.run('x', async () => {
        events.push('x start');
        await tick(20);
        events.push('x end');
      }),
      sequencer.run('y', async () => {
        events.push('y start');
        events.push('y end');
      }),
    ]);
    expect(events).toEqual(['x start', 'y start', 'y end', 'x end']);
  });
});
