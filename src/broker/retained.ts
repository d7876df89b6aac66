/**
 * Retained messages (MQTT 3.1.1 §3.3.1.3, 5.0 §3.3.1.3): at most one per Topic Name, replayed to
 * a new subscription whose filter matches. Stored in a trie of topic levels, so a SUBSCRIBE walks
 * only the branches its filter can reach, plus a Map by topic for O(1) set/get/delete on the
 * PUBLISH path.
 *
 * This store does not look at payloads: a retained PUBLISH with an empty payload removes the
 * retained message and is not stored (3.1.1 [MQTT-3.3.1-10], [MQTT-3.3.1-11]), so the broker calls
 * `delete(topic)` for it rather than `set`.
 */

const DOLLAR = 0x24;

class TopicNode<M> {
  children: Map<string, TopicNode<M>> | undefined = undefined;
  /** Set while a message is stored here; M itself may be any value, undefined included. */
  topic: string | undefined = undefined;
  message: M | undefined = undefined;

  constructor(
    readonly parent: TopicNode<M> | undefined,
    readonly level: string,
  ) {}
}

/** Marks a stack entry below a '#': everything in its subtree matches. */
const ALL = -1;

export class RetainedStore<M> {
  readonly #root = new TopicNode<M>(undefined, '');
  readonly #byTopic = new Map<string, TopicNode<M>>();
  #nodes = 0;

  get size(): number {
    return this.#byTopic.size;
  }

  /** Nodes below the root: a memory metric, and how tests see that deletion prunes. */
  get nodeCount(): number {
    return this.#nodes;
  }

  /** Stores or replaces [MQTT-3.3.1-5]; true if the topic had no retained message before. */
  set(topic: string, message: M): boolean {
    const existing = this.#byTopic.get(topic);
    if (existing !== undefined) {
      existing.message = message;
      return false;
    }
    let node = this.#root;
    let start = 0;
    for (;;) {
      let end = topic.indexOf('/', start);
      if (end < 0) end = topic.length;
      const level = topic.slice(start, end);
      let child = node.children?.get(level);
      if (child === undefined) {
        child = new TopicNode<M>(node, level);
        this.#nodes++;
        (node.children ??= new Map()).set(level, child);
      }
      node = child;
      if (end === topic.length) break;
      start = end + 1;
    }
    node.topic = topic;
    node.message = message;
    this.#byTopic.set(topic, node);
    return true;
  }

  get(topic: string): M | undefined {
    return this.#byTopic.get(topic)?.message;
  }

  delete(topic: string): boolean {
    let node = this.#byTopic.get(topic);
    if (node === undefined) return false;
    this.#byTopic.delete(topic);
    node.topic = undefined;
    node.message = undefined;
    while (node.parent !== undefined && node.topic === undefined && node.children === undefined) {
      const { parent, level }: TopicNode<M> = node;
      if (parent.children?.delete(level) && parent.children.size === 0) parent.children = undefined;
      this.#nodes--;
      node = parent;
    }
    return true;
  }

  /**
   * Calls visit for every retained message whose topic a valid, non-shared filter matches. A
   * filter starting with '+' or '#' skips topics starting with '$' [MQTT-4.7.2-1]; '#' includes
   * its parent level. visit must not set or delete. Depth-first with an explicit stack, so deep
   * topics cannot overflow the call stack.
   */
  match(filter: string, visit: (topic: string, message: M) => void): void {
    const levels = filter.split('/');
    const nodes: TopicNode<M>[] = [this.#root];
    const depths: number[] = [0];
    for (;;) {
      const node = nodes.pop();
      const depth = depths.pop();
      if (node === undefined || depth === undefined) return;
      if (depth === ALL || depth === levels.length) {
        if (node.topic !== undefined) visit(node.topic, node.message as M);
        if (depth === ALL) pushChildren(node, nodes, depths, ALL, false);
        continue;
      }
      const level = levels[depth] as string;
      if (level === '#') {
        if (node.topic !== undefined) visit(node.topic, node.message as M);
        pushChildren(node, nodes, depths, ALL, depth === 0);
      } else if (level === '+') {
        pushChildren(node, nodes, depths, depth + 1, depth === 0);
      } else {
        const child = node.children?.get(level);
        if (child !== undefined) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }

  /** Every retained message, for $SYS counters and persistence. */
  *entries(): IterableIterator<[topic: string, message: M]> {
    for (const [topic, node] of this.#byTopic) yield [topic, node.message as M];
  }
}

function pushChildren<M>(
  node: TopicNode<M>,
  nodes: TopicNode<M>[],
  depths: number[],
  depth: number,
  skipDollar: boolean,
): void {
  if (node.children === undefined) return;
  for (const [level, child] of node.children) {
    if (skipDollar && level.charCodeAt(0) === DOLLAR) continue;
    nodes.push(child);
    depths.push(depth);
  }
}
