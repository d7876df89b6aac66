/**
 * Subscription matching for PUBLISH fan-out (MQTT 3.1.1 §4.7, 5.0 §4.7): a trie over Topic Filter
 * levels, with `+` and `#` as dedicated edges so a publish walks only the branches that can match.
 *
 * Filters are stored as given: callers validate them first (`validateTopicFilter`) and route
 * `$share/...` filters to `SharedSubscriptions`. Every walk is iterative, so a filter or topic with
 * tens of thousands of levels cannot exhaust the call stack.
 */

const DOLLAR = 0x24;

class FilterNode<L> {
  children: Map<string, FilterNode<L>> | undefined = undefined;
  plus: FilterNode<L> | undefined = undefined;
  hash: FilterNode<L> | undefined = undefined;
  leaf: L | undefined = undefined;

  constructor(
    readonly parent: FilterNode<L> | undefined,
    readonly level: string,
  ) {}
}

/**
 * The trie shared by `SubscriptionTrie` and `SharedSubscriptions`: one leaf of type L per filter.
 * Building block only; the broker uses the two classes.
 */
export class FilterTrie<L> {
  readonly #root = new FilterNode<L>(undefined, '');
  // Two frontiers reused by every match; a match started from inside a visit gets its own. Entries
  // past the live count are stale until the next delete clears them.
  readonly #frontA: FilterNode<L>[] = [];
  readonly #frontB: FilterNode<L>[] = [];
  #matching = false;
  #nodes = 0;

  /** Nodes below the root: a memory metric, and how tests see that removal prunes. */
  get nodeCount(): number {
    return this.#nodes;
  }

  get(filter: string): L | undefined {
    return this.#find(filter)?.leaf;
  }

  getOrCreate(filter: string, create: () => L): L {
    let node = this.#root;
    let start = 0;
    for (;;) {
      let end = filter.indexOf('/', start);
      if (end < 0) end = filter.length;
      const level = filter.slice(start, end);
      let next = level === '+' ? node.plus : level === '#' ? node.hash : node.children?.get(level);
      if (next === undefined) {
        next = new FilterNode<L>(node, level);
        this.#nodes++;
        if (level === '+') node.plus = next;
        else if (level === '#') node.hash = next;
        else (node.children ??= new Map()).set(level, next);
      }
      node = next;
      if (end === filter.length) break;
      start = end + 1;
    }
    node.leaf ??= create();
    return node.leaf;
  }

  /** Drops the filter's leaf and every node left with nothing below it. */
  delete(filter: string): void {
    let node = this.#find(filter);
    if (node === undefined) return;
    node.leaf = undefined;
    if (!this.#matching) {
      // The frontiers may still hold nodes about to be pruned; do not keep them alive.
      this.#frontA.length = 0;
      this.#frontB.length = 0;
    }
    for (let parent = node.parent; parent !== undefined && isEmpty(node); parent = node.parent) {
      const level = node.level;
      if (level === '+') parent.plus = undefined;
      else if (level === '#') parent.hash = undefined;
      else if (parent.children?.delete(level) && parent.children.size === 0) parent.children = undefined;
      this.#nodes--;
      node = parent;
    }
  }

  /**
   * Calls emit(leaf, ctx) once for each stored filter that matches `topic`. Breadth-first over
   * levels: each level of the topic is sliced once, and the frontier holds only nodes whose path
   * matches so far. `ctx` lets callers pass their visitor without allocating a closure per call.
   */
  forEachMatch<C>(topic: string, emit: (leaf: L, ctx: C) => void, ctx: C): void {
    const nested = this.#matching;
    let front = nested ? [] : this.#frontA;
    let next = nested ? [] : this.#frontB;
    // Counts, not `array.length = 0`: truncating an array is a slow runtime call in V8.
    let frontLen = 1;
    let nextLen = 0;
    front[0] = this.#root;
    this.#matching = true;
    try {
      // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with '$'.
      const dollar = topic.charCodeAt(0) === DOLLAR;
      let start = 0;
      for (;;) {
        let end = topic.indexOf('/', start);
        if (end < 0) end = topic.length;
        const wild = start !== 0 || !dollar;
        let level: string | undefined;
        for (let i = 0; i < frontLen; i++) {
          const node = front[i] as FilterNode<L>;
          if (wild) {
            // '#' matches this level and everything after it; its leaf is final.
            if (node.hash?.leaf !== undefined) emit(node.hash.leaf, ctx);
            if (node.plus !== undefined) next[nextLen++] = node.plus;
          }
          if (node.children !== undefined) {
            level ??= topic.slice(start, end);
            const child = node.children.get(level);
            if (child !== undefined) next[nextLen++] = child;
          }
        }
        const swap = front;
        front = next;
        next = swap;
        frontLen = nextLen;
        nextLen = 0;
        if (frontLen === 0 || end === topic.length) break;
        start = end + 1;
      }
      for (let i = 0; i < frontLen; i++) {
        const node = front[i] as FilterNode<L>;
        if (node.leaf !== undefined) emit(node.leaf, ctx);
        // "sport/#" matches "sport" too: '#' includes the parent level (§4.7.1.2).
        if (node.hash?.leaf !== undefined) emit(node.hash.leaf, ctx);
      }
    } finally {
      if (!nested) this.#matching = false;
    }
  }

  #find(filter: string): FilterNode<L> | undefined {
    let node: FilterNode<L> | undefined = this.#root;
    let start = 0;
    for (;;) {
      let end = filter.indexOf('/', start);
      if (end < 0) end = filter.length;
      const level = filter.slice(start, end);
      node = level === '+' ? node.plus : level === '#' ? node.hash : node.children?.get(level);
      if (node === undefined || end === filter.length) return node;
      start = end + 1;
    }
  }
}

function isEmpty(node: FilterNode<unknown>): boolean {
  return node.leaf === undefined && node.children === undefined && !node.plus && !node.hash;
}

export type SubscriptionVisitor<V> = (clientKey: string, value: V, filter: string) => void;

/** Subscribers of one filter, as parallel arrays: the match loop reads them without iterators. */
class Leaf<V> {
  readonly keys: string[] = [];
  readonly values: V[] = [];
  // Most filters have one or a few subscribers; index only the crowded ones.
  index: Map<string, number> | undefined = undefined;

  constructor(readonly filter: string) {}

  indexOf(clientKey: string): number {
    if (this.index !== undefined) return this.index.get(clientKey) ?? -1;
    return this.keys.indexOf(clientKey);
  }

  add(clientKey: string, value: V): void {
    this.index?.set(clientKey, this.keys.length);
    this.keys.push(clientKey);
    this.values.push(value);
    if (this.index === undefined && this.keys.length > 16) {
      this.index = new Map(this.keys.map((k, i) => [k, i]));
    }
  }

  removeAt(i: number): void {
    const last = this.keys.length - 1;
    this.index?.delete(this.keys[i] as string);
    if (i !== last) {
      this.keys[i] = this.keys[last] as string;
      this.values[i] = this.values[last] as V;
      this.index?.set(this.keys[i] as string, i);
    }
    this.keys.pop();
    this.values.pop();
  }
}

function emitLeaf<V>(leaf: Leaf<V>, visit: SubscriptionVisitor<V>): void {
  const { keys, values, filter } = leaf;
  for (let i = 0; i < keys.length; i++) visit(keys[i] as string, values[i] as V, filter);
}

interface FoldContext<V, A> {
  readonly into: Map<string, A>;
  readonly fold: (acc: A | undefined, value: V, filter: string) => A;
}

function foldLeaf<V, A>(leaf: Leaf<V>, ctx: FoldContext<V, A>): void {
  const { keys, values, filter } = leaf;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    ctx.into.set(key, ctx.fold(ctx.into.get(key), values[i] as V, filter));
  }
}

/**
 * Non-shared subscriptions: at most one per (client, filter); V is whatever the broker keeps for
 * it (granted QoS, options, subscription identifier).
 */
export class SubscriptionTrie<V> {
  readonly #trie = new FilterTrie<Leaf<V>>();
  #size = 0;

  /** Subscriptions stored, over all clients. */
  get size(): number {
    return this.#size;
  }

  /** Trie nodes in use; see `FilterTrie.nodeCount`. */
  get nodeCount(): number {
    return this.#trie.nodeCount;
  }

  /**
   * True if new; false if the client already had this exact filter, whose value is then replaced
   * [MQTT-3.8.4-3] (a repeated SUBSCRIBE replaces the subscription, it does not add a second one).
   */
  add(filter: string, clientKey: string, value: V): boolean {
    const leaf = this.#trie.getOrCreate(filter, () => new Leaf<V>(filter));
    const i = leaf.indexOf(clientKey);
    if (i >= 0) {
      leaf.values[i] = value;
      return false;
    }
    leaf.add(clientKey, value);
    this.#size++;
    return true;
  }

  get(filter: string, clientKey: string): V | undefined {
    const leaf = this.#trie.get(filter);
    const i = leaf === undefined ? -1 : leaf.indexOf(clientKey);
    return i < 0 ? undefined : leaf?.values[i];
  }

  /** False when the client had no subscription on exactly this filter. */
  remove(filter: string, clientKey: string): boolean {
    const leaf = this.#trie.get(filter);
    const i = leaf === undefined ? -1 : leaf.indexOf(clientKey);
    if (leaf === undefined || i < 0) return false;
    leaf.removeAt(i);
    this.#size--;
    if (leaf.keys.length === 0) this.#trie.delete(filter);
    return true;
  }

  /**
   * Calls visit once per matching (client, filter): a client whose filters overlap gets one call
   * per filter (MQTT 5.0 §4.3 lets the broker deliver per subscription or merge). visit must not
   * add or remove subscriptions; collect changes and apply them after the match.
   */
  match(topic: string, visit: SubscriptionVisitor<V>): void {
    this.#trie.forEachMatch(topic, emitLeaf, visit);
  }

  /**
   * One entry per matching client, its subscriptions folded together: e.g. max granted QoS plus
   * every subscription identifier (MQTT 5.0 §3.3.4 for a merged delivery). Clears and fills
   * `into`, so a broker that passes the same Map for every PUBLISH allocates nothing per match
   * beyond what its fold allocates. For a plain list: `(acc = [], v) => (acc.push(v), acc)`.
   */
  matchClients<A>(
    topic: string,
    fold: (acc: A | undefined, value: V, filter: string) => A,
    into: Map<string, A> = new Map(),
  ): Map<string, A> {
    into.clear();
    this.#trie.forEachMatch<FoldContext<V, A>>(topic, foldLeaf, { into, fold });
    return into;
  }
}
