import { randomUUID } from 'node:crypto';
import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import { validateTopicName } from '../../wire/mqtt/topic.js';
import { CONNACK_V3, connackV3For, RC } from '../../wire/mqtt/reason-codes.js';
import type { Connection } from '../connection.js';
import { resendInflight } from '../delivery.js';
import { NEVER, Session } from '../session.js';
import { messageFromPublish, propertiesProblem } from './publish.js';

/**
 * CONNECT (§3.1), as a list of named steps: identify → authenticate → keepalive → take over
 * → session → will → CONNACK → resume.
 */
export function handleConnect(connection: Connection, packet: IConnectPacket): void {
  if (connection.state !== 'awaiting-connect') {
    // [MQTT-3.1.0-2] a second CONNECT is a protocol violation.
    connection.disconnect(RC.protocolError);
    return;
  }
  const broker = connection.broker;
  const version = packet.protocolVersion ?? 4;
  connection.version = version;
  const refuse = (reasonCode: number, why: string) => {
    broker.stats.refused++;
    broker.logIf('notice', () => `Client ${packet.clientId || '<unknown>'} disconnected, ${why}.`);
    sendConnack(connection, { reasonCode, sessionPresent: false });
    connection.end();
  };

  // Identify.
  let clientId = packet.clientId;
  let assigned = false;
  if (clientId.length === 0) {
    // [MQTT-3.1.3-8] 3.1.1: a zero-length id needs CleanSession=1. [MQTT-3.1.3-6] the server may assign one.
    if ((version !== 5 && !packet.clean) || !broker.options.allowZeroLengthClientid) {
      refuse(RC.clientIdentifierNotValid, 'client identifier not valid');
      return;
    }
    clientId = `${broker.options.autoIdPrefix}${randomUUID().toUpperCase()}`;
    assigned = true;
  } else if (clientId.includes('\u0000') || clientId.includes('\ufffd')) {
    // [MQTT-1.5.4-2] no U+0000; U+FFFD stands for bytes that were not UTF-8 [MQTT-1.5.4-1].
    refuse(RC.clientIdentifierNotValid, 'client identifier not valid');
    return;
  }
  connection.clientId = clientId;
  const props = packet.properties ?? {};
  if (version === 5 && props.authenticationMethod !== undefined) {
    // No enhanced authentication method is offered (§4.12).
    refuse(RC.badAuthenticationMethod, 'unsupported authentication method');
    return;
  }
  if (props.receiveMaximum === 0 || props.maximumPacketSize === 0) {
    // [MQTT-3.1.2-…] Receive Maximum and Maximum Packet Size of 0 are protocol errors.
    connection.disconnect(RC.protocolError);
    return;
  }
  if (packet.will) {
    const problem = validateTopicName(packet.will.topic);
    // [MQTT-3.1.2-…] the will topic must be a valid topic name.
    if (problem) {
      refuse(RC.topicNameInvalid, `invalid will topic: ${problem.message}`);
      return;
    }
    // Will properties travel like a PUBLISH's: malformed ones would throw when the will goes out.
    const propertiesRc = propertiesProblem(packet.will.properties);
    if (propertiesRc !== undefined) {
      refuse(propertiesRc, 'invalid will properties');
      return;
    }
  }

  // Authenticate: the listener's decision, made from the certificate and the credentials.
  const decision = connection.peer.authenticate?.({
    protocolVersion: version,
    clientId,
    username: packet.username,
    password: packet.password,
  }) ?? { ok: true as const, username: packet.username };
  const certificateSubject = connection.peer.certificate?.subject;
  if (!decision.ok) {
    broker.events.emit({
      type: 'auth-failure',
      clientId,
      username: packet.username,
      address: connection.peer.address,
      listenerPort: connection.peer.listenerPort,
      certificateSubject,
      reasonCode: decision.reasonCode,
      reason: decision.reason ?? (decision.returnCode === 5 ? 'not authorised' : 'bad username or password'),
    });
    broker.stats.refused++;
    broker.stats.authFailures++;
    // Mosquitto (handle_connect.c) forgets the id when the password/anonymous check fails (5),
    // not when the certificate identity does (4); the logs read the same.
    const who = decision.returnCode === 5 ? '<unknown>' : clientId;
    broker.logIf('notice', () => `Client ${who} disconnected, not authorised.`);
    sendConnack(connection, {
      reasonCode: decision.reasonCode,
      returnCode: decision.returnCode,
      sessionPresent: false,
    });
    connection.end();
    return;
  }
  connection.username = decision.username;
  // A will on a topic the client may not publish to is accepted and never published, as
  // Mosquitto 2.0.11 does; the denial is logged and emitted now.
  const will =
    packet.will && broker.mayPublish(connection, packet.will.topic, 'will') ? packet.will : undefined;

  // Keepalive: v5 lets the server impose its own (§3.2.2.3.14); 3.1.1 has no way to.
  let keepalive = packet.keepalive ?? 0;
  let serverKeepAlive: number | undefined;
  const max = broker.options.maxKeepalive;
  if (max !== undefined && (keepalive > max || keepalive === 0)) {
    if (version === 5) {
      keepalive = max;
      serverKeepAlive = max;
    } else {
      // Mosquitto 2.0 refuses a 3.1.1 keepalive above max_keepalive with "identifier rejected".
      refuse(RC.clientIdentifierNotValid, `keepalive ${keepalive} above max_keepalive ${max}`);
      return;
    }
  }

  // Take over: [MQTT-3.1.4-2] an existing connection with this client id is closed.
  const existing = broker.sessions.get(clientId);
  const cleanStart = packet.clean !== false;
  // [MQTT-3.1.2-4] Clean Start discards the old session; one with expiry 0 (3.1.1 CleanSession 1)
  // ends with the connection taken over [MQTT-4.1.0-2], so it is not resumed either (Mosquitto).
  const oldSessionEnds = existing !== undefined && (cleanStart || existing.expiryInterval === 0);
  const old = existing?.connection;
  if (old) {
    broker.logIf('notice', () => `Client ${clientId} already connected, closing old connection.`);
    existing.connection = undefined;
    broker.stats.connected--;
    const will = old.will;
    old.will = undefined;
    old.session = undefined;
    old.disconnect(RC.sessionTakenOver);
    // [MQTT-3.1.2-8] the will goes out once its delay has passed or its session ends; only a
    // connection that resumes the session within the delay suppresses it [MQTT-3.1.3-9].
    if (will && (will.delay === 0 || oldSessionEnds)) broker.publish(will.message);
  }

  // Session: clean start discards the old one; otherwise it is resumed.
  const expiry =
    version === 5
      ? (props.sessionExpiryInterval ?? 0)
      : cleanStart
        ? 0
        : (broker.options.persistentClientExpiration ?? NEVER);
  let session = existing;
  let sessionPresent = false;
  if (session && oldSessionEnds) {
    // Publishes a will still waiting on its delay: the session ends here [MQTT-3.1.2-8].
    broker.removeSession(session);
    session = undefined;
  }
  // [MQTT-3.1.3-9] a session resumed within the Will Delay Interval: its will is not sent.
  broker.cancelWill(clientId);
  if (session) {
    sessionPresent = true;
    session.expiryTimer?.clear();
    session.expiryInterval = expiry;
  } else {
    session = new Session(clientId, expiry);
    broker.sessions.set(clientId, session);
  }
  session.protocolVersion = version;
  session.username = decision.username;
  session.acl = connection.peer.acl;
  session.listenerPort = connection.peer.listenerPort;
  session.offlineSince = undefined;
  broker.store?.sessionSaved(session, connection.peer.listenerPort);
  session.sendWindow = props.receiveMaximum ?? 65_535;
  connection.maxOutgoingPacket = props.maximumPacketSize ?? Number.POSITIVE_INFINITY;
  session.connection = connection;
  connection.session = session;

  // Will: kept on the connection until it ends (§3.1.2.5).
  if (will) {
    const willProps = will.properties;
    connection.will = {
      message: messageFromPublish(broker, clientId, {
        topic: will.topic,
        payload: Buffer.isBuffer(will.payload) ? will.payload : Buffer.from(will.payload),
        qos: will.qos ?? 0,
        retain: will.retain ?? false,
        properties: willProps,
      }),
      delay: version === 5 ? (willProps?.willDelayInterval ?? 0) : 0,
    };
  }

  connection.accepted(version, keepalive);
  broker.events.emit({
    type: 'auth-success',
    clientId,
    username: decision.username,
    address: connection.peer.address,
    listenerPort: connection.peer.listenerPort,
    certificateSubject,
  });
  broker.stats.connected++;
  broker.stats.accepted++;
  broker.stats.maximumConnected = Math.max(broker.stats.maximumConnected, broker.stats.connected);
  sendConnack(connection, {
    reasonCode: RC.success,
    sessionPresent,
    properties:
      version === 5
        ? {
            ...(assigned ? { assignedClientIdentifier: clientId } : {}),
            ...(serverKeepAlive !== undefined ? { serverKeepAlive } : {}),
            ...(broker.options.maxInflightMessages < 65_535
              ? { receiveMaximum: broker.options.maxInflightMessages }
              : {}),
            maximumPacketSize: broker.options.maxPacketSize,
            topicAliasMaximum: broker.options.maxTopicAlias,
            ...(broker.options.retainAvailable ? {} : { retainAvailable: false }),
          }
        : undefined,
  });
  if (broker.options.connectionMessages) {
    const p = version === 5 ? 5 : version === 4 ? 2 : 1;
    const u = decision.username === undefined ? '' : `, u'${decision.username}'`;
    broker.logIf(
      'notice',
      () =>
        `New client connected from ${connection.peer.address}:${connection.peer.port} as ${clientId} (p${p}, c${cleanStart ? 1 : 0}, k${keepalive}${u}).`,
    );
  }
  resendInflight(broker, session);
  broker.resume(session);
}

function sendConnack(
  connection: Connection,
  c: {
    reasonCode: number;
    returnCode?: number;
    sessionPresent: boolean;
    properties?: IConnackPacket['properties'];
  },
): void {
  if (connection.version === 5) {
    connection.send({
      cmd: 'connack',
      reasonCode: c.reasonCode,
      sessionPresent: c.sessionPresent,
      ...(c.properties ? { properties: c.properties } : {}),
    });
  } else {
    const returnCode = c.returnCode ?? connackV3For(c.reasonCode);
    // [MQTT-3.2.2-4] a refused CONNACK has Session Present 0.
    connection.send({
      cmd: 'connack',
      returnCode,
      sessionPresent: returnCode === CONNACK_V3.accepted && c.sessionPresent,
    });
  }
}
