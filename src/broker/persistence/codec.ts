import type { MessageProperties, QoS } from '../types.js';
import { FieldReader, type FieldWriter, type StoreRecord } from './records.js';

/** Body bytes of a record (its kind travels in the frame). */
export function encodeBody(r: StoreRecord, w: FieldWriter): void {
  switch (r.kind) {
    case 'message':
      w.u32(r.id);
      writeMessage(r, w);
      return;
    case 'retain-set':
      w.u32(r.messageId);
      return;
    case 'retain-delete':
      w.str(r.topic);
      return;
    case 'session':
      w.str(r.clientId).u32(r.expiryInterval).u8(r.protocolVersion).optStr(r.username).u32(r.listenerPort);
      return;
    case 'session-offline':
      w.str(r.clientId).f64(r.at);
      return;
    case 'session-end':
      w.str(r.clientId);
      return;
    case 'subscribe':
      w.str(r.clientId).str(r.key).str(r.filter).u8(r.qos);
      w.u8((r.noLocal ? 1 : 0) | (r.retainAsPublished ? 2 : 0) | (r.retainHandling << 2));
      w.u32(r.identifier ?? 0).optStr(r.group);
      return;
    case 'unsubscribe':
      w.str(r.clientId).str(r.key);
      return;
    case 'queue':
      w.str(r.clientId)
        .u32(r.messageId)
        .u8(r.qos)
        .u8(r.retain ? 1 : 0)
        .ids(r.subscriptionIds);
      return;
    case 'send':
      w.str(r.clientId)
        .u32(r.packetId)
        .u32(r.messageId)
        .u8(r.qos)
        .u8(r.retain ? 1 : 0)
        .ids(r.subscriptionIds);
      return;
    case 'dequeue-drop':
    case 'spool-header':
      w.str(r.clientId);
      return;
    case 'spooled':
      w.f64(r.seq);
      writeMessage(r, w);
      w.u8(r.deliveryQos)
        .u8(r.deliveryRetain ? 1 : 0)
        .ids(r.subscriptionIds);
      return;
    case 'unspool':
      w.str(r.clientId)
        .f64(r.seq)
        .u32(r.messageId)
        .u8(r.qos)
        .u8(r.retain ? 1 : 0)
        .ids(r.subscriptionIds);
      return;
    case 'spool-head':
      w.str(r.clientId).f64(r.seq);
      return;
    case 'dequeue-inflight':
    case 'inflight-released':
    case 'inflight-done':
    case 'qos2-received':
    case 'qos2-released':
      w.str(r.clientId).u32(r.packetId);
      return;
  }
}

/** The record a frame holds; throws (RangeError, SyntaxError) if the body does not parse. */
export function decodeBody(kind: StoreRecord['kind'], body: Buffer): StoreRecord {
  const r = new FieldReader(body);
  const record = read(kind, r);
  r.end();
  return record;
}

function read(kind: StoreRecord['kind'], r: FieldReader): StoreRecord {
  switch (kind) {
    case 'message': {
      const id = r.u32();
      return { kind, id, ...readMessage(r) };
    }
    case 'retain-set':
      return { kind, messageId: r.u32() };
    case 'retain-delete':
      return { kind, topic: r.str() };
    case 'session': {
      const clientId = r.str();
      const expiryInterval = r.u32();
      const v = r.u8();
      if (v !== 3 && v !== 4 && v !== 5) throw new RangeError(`protocol version ${v}`);
      return {
        kind,
        clientId,
        expiryInterval,
        protocolVersion: v,
        username: r.optStr(),
        listenerPort: r.u32(),
      };
    }
    case 'session-offline':
      return { kind, clientId: r.str(), at: r.f64() };
    case 'session-end':
      return { kind, clientId: r.str() };
    case 'subscribe': {
      const clientId = r.str();
      const key = r.str();
      const filter = r.str();
      const qos = qosOf(r.u8());
      const flags = r.u8();
      const rh = (flags >> 2) & 3;
      if (rh === 3) throw new RangeError('retain handling 3');
      const identifier = r.u32();
      return {
        kind,
        clientId,
        key,
        filter,
        qos,
        noLocal: (flags & 1) !== 0,
        retainAsPublished: (flags & 2) !== 0,
        retainHandling: rh as 0 | 1 | 2,
        identifier: identifier === 0 ? undefined : identifier,
        group: r.optStr(),
      };
    }
    case 'unsubscribe':
      return { kind, clientId: r.str(), key: r.str() };
    case 'queue':
      return {
        kind,
        clientId: r.str(),
        messageId: r.u32(),
        qos: qosOf(r.u8()),
        retain: r.u8() === 1,
        subscriptionIds: r.ids(),
      };
    case 'send':
      return {
        kind,
        clientId: r.str(),
        packetId: packetIdOf(r.u32()),
        messageId: r.u32(),
        qos: qosOf(r.u8()),
        retain: r.u8() === 1,
        subscriptionIds: r.ids(),
      };
    case 'dequeue-drop':
    case 'spool-header':
      return { kind, clientId: r.str() };
    case 'spooled': {
      const seq = seqOf(r.f64());
      const message = readMessage(r);
      return {
        kind,
        seq,
        ...message,
        deliveryQos: qosOf(r.u8()),
        deliveryRetain: r.u8() === 1,
        subscriptionIds: r.ids(),
      };
    }
    case 'unspool':
      return {
        kind,
        clientId: r.str(),
        seq: seqOf(r.f64()),
        messageId: r.u32(),
        qos: qosOf(r.u8()),
        retain: r.u8() === 1,
        subscriptionIds: r.ids(),
      };
    case 'spool-head':
      return { kind, clientId: r.str(), seq: seqOf(r.f64()) };
    case 'dequeue-inflight':
    case 'inflight-released':
    case 'inflight-done':
    case 'qos2-received':
    case 'qos2-released':
      return { kind, clientId: r.str(), packetId: packetIdOf(r.u32()) };
  }
}

interface MessageFields {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly expiresAt: number | undefined;
  readonly origin: string | undefined;
  readonly properties: MessageProperties | undefined;
}

function writeMessage(m: MessageFields, w: FieldWriter): void {
  w.str(m.topic)
    .bytes(m.payload)
    .u8(m.qos)
    .u8(m.retain ? 1 : 0);
  w.f64(m.expiresAt ?? -1).optStr(m.origin);
  w.optStr(m.properties === undefined ? undefined : JSON.stringify(propertiesToJson(m.properties)));
}

function readMessage(r: FieldReader): MessageFields {
  const topic = r.str();
  const payload = r.bytes();
  const qos = qosOf(r.u8());
  const retain = r.u8() === 1;
  const at = r.f64();
  const origin = r.optStr();
  const json = r.optStr();
  return {
    topic,
    payload,
    qos,
    retain,
    expiresAt: at < 0 ? undefined : at,
    origin,
    properties: json === undefined ? undefined : propertiesFromJson(JSON.parse(json)),
  };
}

/** A spool sequence number: a non-negative integer a double holds exactly. */
function seqOf(v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`spool sequence ${v}`);
  return v;
}

function qosOf(v: number): QoS {
  if (v !== 0 && v !== 1 && v !== 2) throw new RangeError(`QoS ${v}`);
  return v;
}

function packetIdOf(v: number): number {
  if (v < 1 || v > 65_535) throw new RangeError(`packet identifier ${v}`);
  return v;
}

// Correlation Data is binary: JSON carries it as base64.
function propertiesToJson(p: MessageProperties): unknown {
  return { ...p, correlationData: p.correlationData?.toString('base64') };
}

function propertiesFromJson(v: unknown): MessageProperties {
  if (typeof v !== 'object' || v === null) throw new SyntaxError('properties are not an object');
  const o = v as Record<string, unknown>;
  return {
    ...(o as MessageProperties),
    correlationData:
      typeof o.correlationData === 'string' ? Buffer.from(o.correlationData, 'base64') : undefined,
  };
}
