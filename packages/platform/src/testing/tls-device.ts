import { connect, type IClientOptions, type MqttClient, type Packet } from 'mqtt';

/** A device's TLS material: its certificate and key (absent: none presented) and the CA it trusts. */
export interface DeviceTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

/** The first answer of the server to CONNECT (v5), and whether it then closed the connection. */
export interface ConnectAnswer {
  readonly reasonCode: number | undefined;
  readonly reasonString: string | undefined;
}

/** What became of one QoS 1 publish: its PUBACK's reason code, or the connection ended first. */
export type PublishOutcome = { readonly kind: 'acked'; readonly reasonCode: number } | { readonly kind: 'cut' };

/** A device connected over mutual TLS with MQTT 5, recording the server's DISCONNECT and the close. */
export interface TlsDevice {
  readonly client: MqttClient;
  readonly disconnects: ConnectAnswer[];
  /** Resolves when the connection closed, whoever closed it. */
  readonly closed: Promise<void>;
  /** A QoS 1 telemetry publish on the device's own topic, answered or cut. */
  publish(payload: unknown): Promise<PublishOutcome>;
  end(): Promise<void>;
}

const options = (id: string, tls: DeviceTls): IClientOptions => ({
  clientId: id,
  protocolVersion: 5,
  reconnectPeriod: 0,
  connectTimeout: 10_000,
  rejectUnauthorized: true,
  ...tls,
});

/**
 * CONNECT as device `id` to `mqtts://127.0.0.1:port` and resolves with the CONNACK's reason code,
 * accepted or not; the client is then ended. For refusals, which MQTT.js reports as errors.
 */
export function connectAnswer(port: number, id: string, tls: DeviceTls): Promise<ConnectAnswer> {
  return new Promise((resolve, reject) => {
    const client = connect(`mqtts://127.0.0.1:${port}`, options(id, tls));
    client.on('packetreceive', (packet: Packet) => {
      if (packet.cmd !== 'connack') return;
      client.end(true);
      resolve({ reasonCode: packet.reasonCode ?? 0, reasonString: packet.properties?.reasonString });
    });
    client.on('error', () => {
      // A refused CONNACK surfaces here too; its packet is what the test reads.
    });
    client.on('close', () => {
      reject(new Error(`device ${id}: the connection closed before a CONNACK`));
    });
  });
}

/** Connects device `id` over mutual TLS; rejects when the server does not accept it. */
export async function connectTlsDevice(port: number, id: string, tls: DeviceTls): Promise<TlsDevice> {
  const client = connect(`mqtts://127.0.0.1:${port}`, options(id, tls));
  const disconnects: ConnectAnswer[] = [];
  const pubacks = new Map<number, number>();
  client.on('packetreceive', (packet: Packet) => {
    if (packet.cmd === 'puback' && packet.messageId !== undefined)
      pubacks.set(packet.messageId, packet.reasonCode ?? 0);
    if (packet.cmd === 'disconnect') {
      disconnects.push({ reasonCode: packet.reasonCode, reasonString: packet.properties?.reasonString });
    }
  });
  client.on('error', () => {
    // Refusals and cuts are read from the packets; an unhandled 'error' would end the test process.
  });
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    void closed.then(() => reject(new Error(`device ${id}: connection closed before it was accepted`)));
  });
  return {
    client,
    disconnects,
    closed,
    publish(payload) {
      const cut = closed.then((): PublishOutcome => ({ kind: 'cut' }));
      const acked = new Promise<PublishOutcome>((resolve) => {
        client.publish(`wardstream/v1/devices/${id}/telemetry`, JSON.stringify(payload), { qos: 1 }, (err, packet) => {
          // MQTT.js passes null on success, an error with the reason code for a refusing PUBACK.
          const code = (err as { code?: unknown } | null | undefined)?.code;
          if (err instanceof Error && typeof code !== 'number') return; // the connection went: `cut` answers
          const answered = packet?.messageId === undefined ? undefined : pubacks.get(packet.messageId);
          resolve({ kind: 'acked', reasonCode: answered ?? (typeof code === 'number' ? code : 0) });
        });
      });
      return Promise.race([acked, cut]);
    },
    end: () => client.endAsync(true),
  };
}

/** A telemetry message (docs/WIRE.md) of two vital signs at `ts`. */
export function vitals(seq: number, ts: number): Record<string, unknown> {
  return {
    seq,
    boot: 'e2e',
    ts,
    readings: [
      { code: 'heart_rate', value: 60 + (seq % 40), unit: '/min' },
      { code: 'spo2', value: 97, unit: '%' },
    ],
  };
}
