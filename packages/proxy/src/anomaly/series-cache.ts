/** One cached value and its place in the recency list. */
interface Entry<T> {
  readonly value: T;
  readonly tenantId: string;
  /** `undefined` for the tenant's own value. */
  readonly agentId: string | undefined;
  older: Entry<T> | undefined;
  newer: Entry<T> | undefined;
}

/** A tenant's own value and its agents' values. */
interface TenantEntries<T> {
  own?: Entry<T>;
  agents?: Map<string, Entry<T>>;
}

/**
 * Values per tenant and per tenant + agent, at most `max` of them, the least recently used
 * forgotten first. Built for a look-up on every span: nested maps need no composite string key
 * (`t:${tenant}`), and a doubly-linked recency list moves a hit to the front by relinking, where
 * a `Map` used as an LRU deletes and re-inserts the entry (leaving a hole to compact later).
 *
 * @example
 * const cache = new SeriesCache(10_000, () => ({ hits: 0 }));
 * cache.get('acme').hits++;
 * cache.get('acme', 'support-bot').hits++;
 */
export class SeriesCache<T> {
  private readonly tenants = new Map<string, TenantEntries<T>>();
  private oldest: Entry<T> | undefined;
  private newest: Entry<T> | undefined;
  private count = 0;

  constructor(
    private readonly max: number,
    private readonly create: () => T,
  ) {}

  /** Values held (tenants and tenant + agent pairs together). */
  get size(): number {
    return this.count;
  }

  /** The value of a tenant, or of one of its agents: marked most recently used, created when missing. */
  get(tenantId: string, agentId?: string): T {
    const tenant = this.tenants.get(tenantId);
    const hit = agentId === undefined ? tenant?.own : tenant?.agents?.get(agentId);
    if (hit) {
      if (hit !== this.newest) {
        this.unlink(hit);
        this.append(hit);
      }
      return hit.value;
    }
    if (this.count >= this.max && this.oldest) this.evict(this.oldest);
    const entry: Entry<T> = { value: this.create(), tenantId, agentId, older: undefined, newer: undefined };
    // Looked up again: the eviction may have removed this tenant's (then empty) entries.
    let entries = this.tenants.get(tenantId);
    if (!entries) {
      entries = {};
      this.tenants.set(tenantId, entries);
    }
    if (agentId === undefined) entries.own = entry;
    else {
      entries.agents ??= new Map();
      entries.agents.set(agentId, entry);
    }
    this.append(entry);
    this.count++;
    return entry.value;
  }

  private evict(entry: Entry<T>): void {
    this.unlink(entry);
    this.count--;
    const entries = this.tenants.get(entry.tenantId);
    if (!entries) return;
    if (entry.agentId === undefined) entries.own = undefined;
    else entries.agents?.delete(entry.agentId);
    if (!entries.own && !entries.agents?.size) this.tenants.delete(entry.tenantId);
  }

  private unlink(entry: Entry<T>): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  private append(entry: Entry<T>): void {
    entry.older = this.newest;
    if (this.newest) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }
}
