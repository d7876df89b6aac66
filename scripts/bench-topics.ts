import { performance } from 'node:perf_hooks';
import { SubscriptionTrie } from '../src/broker/subscriptions.js';
import { topicMatches, validateTopicName } from '../src/wire/mqtt/topic.js';
import { mulberry32 } from '../test/helpers/prng.js';

const SUBSCRIPTIONS = 10_000;
const LOOKUPS = 1_000_000;
const BRUTE_LOOKUPS = 2_000;

const rnd = mulberry32(42);
const int = (n: number) => Math.floor(rnd() * n);
const metrics = ['telemetry', 'status', 'config', 'alarm', 'firmware'];
const metric = () => metrics[int(metrics.length)] as string;
const SITES = 20;
const DEVICES = 500;

const shapes: [count: number, make: () => string][] = [
  [2, () => '#'],
  [8, () => '$SYS/broker/#'],
  [200, () => `site/${int(SITES)}/device/+/${metric()}`],
  [500, () => `site/+/device/${int(DEVICES)}/+`],
  [1000, () => `site/${int(SITES)}/device/${int(DEVICES)}/#`],
  [SUBSCRIPTIONS, () => `site/${int(SITES)}/device/${int(DEVICES)}/${metric()}`],
];

const filters: string[] = [];
const trie = new SubscriptionTrie<number>();
for (const [count, make] of shapes) {
  for (let n = 0; n < count && filters.length < SUBSCRIPTIONS;) {
    const filter = make();
    if (trie.add(filter, `client-${filters.length % 3000}`, filters.length % 3)) {
      filters.push(filter);
      n++;
    }
  }
}

const topics: string[] = [];
for (let i = 0; i < 4096; i++) {
  topics.push(
    i % 64 === 0 ? `$SYS/broker/load/${int(10)}` : `site/${int(SITES)}/device/${int(DEVICES)}/${metric()}`,
  );
}

let deliveries = 0;
const visit = () => {
  deliveries++;
};

function timeLookups(n: number, fn: (topic: string) => void): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) fn(topics[i & 4095] as string);
  return performance.now() - start;
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en-US');

timeLookups(200_000, (t) => trie.match(t, visit));
deliveries = 0;
const matchMs = timeLookups(LOOKUPS, (t) => trie.match(t, visit));
const matchDeliveries = deliveries;

const into = new Map<string, number>();
const maxQos = (acc: number | undefined, qos: number) => (acc === undefined || qos > acc ? qos : acc);
timeLookups(200_000, (t) => trie.matchClients(t, maxQos, into));
let clients = 0;
const mergedMs = timeLookups(LOOKUPS, (t) => {
  clients += trie.matchClients(t, maxQos, into).size;
});

let valid = 0;
timeLookups(200_000, (t) => validateTopicName(t));
const validateMs = timeLookups(LOOKUPS, (t) => {
  if (validateTopicName(t) === undefined) valid++;
});

let bruteDeliveries = 0;
const bruteMs = timeLookups(BRUTE_LOOKUPS, (t) => {
  for (const f of filters) if (topicMatches(f, t)) bruteDeliveries++;
});

const row = (label: string, n: number, ms: number, unit: string, extra: string) =>
  console.log(
    `${label.padEnd(30)} ${n} in ${ms.toFixed(0).padStart(5)} ms: ${rate(n, ms).padStart(10)} ${unit} ${extra}`,
  );

console.log(`node ${process.version}, ${SUBSCRIPTIONS} subscriptions, ${trie.nodeCount} trie nodes`);
row(
  'SubscriptionTrie.match',
  LOOKUPS,
  matchMs,
  'matches/s',
  `${rate(matchDeliveries, matchMs)} deliveries/s, ${(matchDeliveries / LOOKUPS).toFixed(2)} per lookup`,
);
row(
  'SubscriptionTrie.matchClients',
  LOOKUPS,
  mergedMs,
  'matches/s',
  `${(clients / LOOKUPS).toFixed(2)} clients per lookup`,
);
row('validateTopicName', LOOKUPS, validateMs, 'names/s', `${valid} valid`);
row(
  'brute force topicMatches',
  BRUTE_LOOKUPS,
  bruteMs,
  'matches/s',
  `${(bruteDeliveries / BRUTE_LOOKUPS).toFixed(2)} per lookup over ${filters.length} filters`,
);
