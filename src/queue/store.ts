import type { Redis } from 'ioredis';
import type { DigestMemo } from './content-key.js';
import { RedisLink } from './redis-link.js';

/** The BullMQ queue every genbound command and worker uses (its keys start with "bull:genbound:"). */
export const QUEUE_NAME = 'genbound';
const NS = 'genbound:';
/** Results are kept for two weeks after they were last written or found by a resume. */
const RESULT_TTL_S = 14 * 24 * 3600;
/** Results are fetched in batches of this many keys per round trip. */
const BATCH = 256;

/** What a worker records beside a result; none of it enters the merged output. */
export interface ResultMeta {
  kind: string;
  label: string;
  worker: string;
  seconds: number;
  finishedAt: string;
}

/**
 * Results by content key in Redis (a hash per key: the encoded result plus ResultMeta), a
 * count of units computed and of duplicates, and the memo of model digests. BullMQ only
 * dispatches; this store is what a submitter reads, so a job that completes twice, or a
 * queue that Redis lost in a restart, cannot lose or change a result.
 */
export class ResultStore implements DigestMemo {
  constructor(readonly redis: Redis) {}

  static async open(link: RedisLink): Promise<ResultStore> {
    const { Redis } = await import('ioredis');
    const redis = new Redis({ ...link.options(), lazyConnect: true });
    redis.on('error', link.onError);
    redis.on('ready', link.onReady);
    // connect() rejects at the first refused attempt; the retries (and the budget) go on in the
    // background, so wait for 'ready' or for the link to give up.
    const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    redis.connect().catch(() => undefined);
    try {
      await link.guard(ready);
    } catch (e) {
      redis.disconnect();
      throw e;
    }
    return new ResultStore(redis);
  }

  private static key(k: string): string {
    return `${NS}result:${k}`;
  }

  /** Encoded results of those keys that have one (and refreshes their expiry). */
  async getMany(keys: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < keys.length; i += BATCH) {
      const part = keys.slice(i, i + BATCH);
      const p = this.redis.pipeline();
      for (const k of part) p.hget(ResultStore.key(k), 'result');
      const rows = (await p.exec()) ?? [];
      const found: string[] = [];
      rows.forEach(([err, v], j) => {
        if (!err && typeof v === 'string') {
          out.set(part[j], v);
          found.push(part[j]);
        }
      });
      if (found.length) {
        const t = this.redis.pipeline();
        for (const k of found) t.expire(ResultStore.key(k), RESULT_TTL_S);
        await t.exec();
      }
    }
    return out;
  }

  async has(key: string): Promise<boolean> {
    return (await this.redis.hexists(ResultStore.key(key), 'result')) === 1;
  }

  /** Stores a result; a second result for the same key (a duplicate run) is counted and harmless. */
  async put(key: string, encoded: string, meta: ResultMeta): Promise<void> {
    const k = ResultStore.key(key);
    const fresh = await this.redis.hsetnx(k, 'result', encoded);
    const p = this.redis.pipeline();
    p.hset(k, { kind: meta.kind, label: meta.label, worker: meta.worker, seconds: String(meta.seconds), finishedAt: meta.finishedAt });
    p.expire(k, RESULT_TTL_S);
    p.incr(`${NS}stats:${fresh === 1 ? 'computed' : 'duplicates'}`);
    await p.exec();
  }

  async meta(key: string): Promise<Partial<ResultMeta> | undefined> {
    const h = await this.redis.hgetall(ResultStore.key(key));
    if (!h.kind) return undefined;
    return { kind: h.kind, label: h.label, worker: h.worker, seconds: Number(h.seconds), finishedAt: h.finishedAt };
  }

  async stats(): Promise<{ computed: number; duplicates: number }> {
    const [c, d] = await this.redis.mget(`${NS}stats:computed`, `${NS}stats:duplicates`);
    return { computed: Number(c ?? 0), duplicates: Number(d ?? 0) };
  }

  async get(statKey: string): Promise<string | undefined> {
    return (await this.redis.get(`${NS}digest:${statKey}`)) ?? undefined;
  }

  async set(statKey: string, digest: string): Promise<void> {
    await this.redis.set(`${NS}digest:${statKey}`, digest, 'EX', RESULT_TTL_S);
  }

  close(): void {
    this.redis.disconnect();
  }
}
