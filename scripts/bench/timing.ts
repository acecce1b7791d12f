import { performance } from 'node:perf_hooks'

/** Median of `rounds` timed runs (ms) after `warmup` untimed ones; benchmarks print, never assert. */
export async function time(rounds: number, fn: () => Promise<unknown>, warmup = 3): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn()
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    await fn()
    samples.push(performance.now() - t0)
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!
}
