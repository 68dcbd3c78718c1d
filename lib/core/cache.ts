// The answers of a function origin, kept per origin string for a time. Attackers choose the Origin
// header freely, so the cache is bounded: past `max` entries the oldest goes first. Errors and
// timeouts are never cached (see middleware.ts).
import type { BusSettings } from './bus.js';

/** The checked `originCache` option. */
export interface CacheSettings {
  readonly ttl: number;
  readonly max: number;
  /** Where clears are published and heard (bus.ts); undefined for a cache of this process only. */
  readonly bus: BusSettings | undefined;
}

/** What a cached lookup found: the Access-Control-Allow-Origin value, or null for a refusal. */
export type CachedAnswer = string | null;

interface Entry {
  readonly answer: CachedAnswer;
  readonly expires: number;
}

export class OriginCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttl: number,
    private readonly max: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached answer for `origin`, or undefined when there is none still fresh at `now`. */
  get(origin: string, now: number): CachedAnswer | undefined {
    const entry = this.entries.get(origin);
    if (entry === undefined) return undefined;
    if (entry.expires > now) return entry.answer;
    this.entries.delete(origin);
    return undefined;
  }

  set(origin: string, answer: CachedAnswer, now: number): void {
    this.entries.delete(origin);
    if (this.entries.size >= this.max) {
      // Map keeps insertion order: the first key is the oldest entry.
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(origin, { answer, expires: now + this.ttl });
  }

  clear(origin?: string): void {
    if (origin === undefined) this.entries.clear();
    else this.entries.delete(origin);
  }
}
