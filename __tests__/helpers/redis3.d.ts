// node_redis 3 (installed under the npm alias `redis3`), as far as the tests use it: a callback-style
// client whose commands return true ("written") and call back with the reply.
declare module 'redis3' {
  export interface RedisClient {
    sadd(
      key: string,
      member: string,
      callback?: (err: Error | null, reply: number) => void,
    ): boolean;
    srem(
      key: string,
      member: string,
      callback?: (err: Error | null, reply: number) => void,
    ): boolean;
    sismember(
      key: string,
      member: string,
      callback?: (err: Error | null, reply: number) => void,
    ): boolean;
    on(event: 'ready' | 'error', listener: (...args: unknown[]) => void): this;
    quit(callback?: () => void): boolean;
  }
  export function createClient(options: { host: string; port: number }): RedisClient;
}
