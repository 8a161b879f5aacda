import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { TEST_NOW } from './harness.js';

/** What the gateway answered to one QoS 1 publish, read from the PUBACK itself. */
export interface AckResult {
  readonly reasonCode: number;
  readonly reasonString: string | undefined;
}

/** An MQTT.js client wrapped for tests: it records PUBACKs, server DISCONNECTs and errors-topic reports. */
export interface TestDevice {
  readonly client: MqttClient;
  readonly id: string;
  /** Parsed errors-topic messages, in arrival order. */
  readonly reports: Record<string, unknown>[];
  /** DISCONNECT packets received from the server. */
  readonly disconnects: { reasonCode: number | undefined; reasonString: string | undefined }[];
  /** Publishes (QoS 1 unless told) and resolves with the PUBACK's reason code and Reason String. */
  publish(payload: unknown, options?: { topic?: string; qos?: 0 | 1 }): Promise<AckResult>;
  end(): Promise<void>;
}

interface AckPacket {
  messageId?: number;
  reasonCode?: number;
  properties?: { reasonString?: string };
}

/** Connects device `id` (its client id, unless `clientId` is given) and subscribes to its errors topic. */
export async function connectDevice(
  url: string,
  id: string,
  options: IClientOptions & { subscribeErrors?: boolean } = {},
): Promise<TestDevice> {
  const { subscribeErrors = true, ...clientOptions } = options;
  const client = await connectAsync(url, {
    clientId: id,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...clientOptions,
  });
  const pubacks = new Map<number, AckPacket>();
  const reports: Record<string, unknown>[] = [];
  const disconnects: TestDevice['disconnects'] = [];
  client.on('packetreceive', (packet: Packet) => {
    if (packet.cmd === 'puback' && packet.messageId !== undefined) pubacks.set(packet.messageId, packet);
    if (packet.cmd === 'disconnect') {
      disconnects.push({ reasonCode: packet.reasonCode, reasonString: packet.properties?.reasonString });
    }
  });
  client.on('message', (_topic, payload) => {
    reports.push(JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  client.on('error', () => {
    // Refusals surface through the assertions; an unhandled 'error' would crash the test process.
  });
  if (subscribeErrors) await client.subscribeAsync(`wardstream/v1/devices/${id}/errors`, { qos: 0 });
  return {
    client,
    id,
    reports,
    disconnects,
    publish(payload, publishOptions = {}) {
      const topic = publishOptions.topic ?? `wardstream/v1/devices/${id}/telemetry`;
      const qos = publishOptions.qos ?? 1;
      const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
      return new Promise((resolve, reject) => {
        client.publish(topic, body, { qos }, (error, packet) => {
          const ack = packet?.messageId === undefined ? undefined : pubacks.get(packet.messageId);
          const failed = error instanceof Error;
          const code = failed ? (error as { code?: unknown }).code : undefined;
          if (failed && typeof code !== 'number') {
            reject(error);
            return;
          }
          resolve({
            reasonCode: ack?.reasonCode ?? (typeof code === 'number' ? code : 0),
            reasonString: ack?.properties?.reasonString,
          });
        });
      });
    },
    end: () => client.endAsync(),
  };
}

/** A telemetry payload at the tests' event time; `extra` overrides or adds fields. */
export function telemetry(seq: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    seq,
    boot: 'b1',
    ts: TEST_NOW,
    readings: [
      { code: 'heart_rate', value: 72, unit: '/min' },
      { code: 'spo2', value: 97, unit: '%' },
    ],
    ...extra,
  };
}

/** Subscribes and resolves with the SUBACK's codes, refusals included (MQTT.js turns those into errors). */
export function subscribeCodes(device: TestDevice, filters: string[]): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (packet: Packet): void => {
      if (packet.cmd !== 'suback') return;
      device.client.off('packetreceive', onPacket);
      resolve(packet.granted.map((g) => (typeof g === 'number' ? g : -1)));
    };
    device.client.on('packetreceive', onPacket);
    device.client.subscribe(filters, { qos: 1 }, () => undefined);
  });
}
