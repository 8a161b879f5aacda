import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { generate, parser as createParser, type Packet } from 'mqtt-packet';

/**
 * A bare TCP client for the tests MQTT.js cannot express: garbage, truncated or oversize packets,
 * protocol violations. It parses what the server sends back.
 */
export class RawMqttClient {
  readonly packets: Packet[] = [];
  readonly parseErrors: string[] = [];
  /** Resolves when the server closed (or reset) the connection. */
  readonly closed: Promise<void>;
  private constructor(
    readonly socket: Socket,
    protocolVersion: 4 | 5,
  ) {
    const parser = createParser({ protocolVersion });
    parser.on('packet', (p: Packet) => this.packets.push(p));
    parser.on('error', (e: unknown) => this.parseErrors.push(String(e)));
    socket.on('data', (chunk: Buffer) => {
      parser.parse(chunk);
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        resolve();
      });
    });
  }

  static async open(port: number, protocolVersion: 4 | 5 = 5): Promise<RawMqttClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawMqttClient(socket, protocolVersion);
  }

  /** Over TLS (to 127.0.0.1), once the handshake completed; `options` carry the client certificate, if any. */
  static async openTls(port: number, options: ConnectionOptions, protocolVersion: 4 | 5 = 5): Promise<RawMqttClient> {
    const socket = connectTls({ host: '127.0.0.1', port, ...options });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    return new RawMqttClient(socket, protocolVersion);
  }

  write(bytes: Buffer | readonly number[]): void {
    this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  }

  send(packet: Packet, protocolVersion: 4 | 5 = 5): void {
    this.write(generate(packet, { protocolVersion }));
  }

  /** CONNECT with `clientId` and waits for the CONNACK. */
  async connect(clientId: string, protocolVersion: 4 | 5 = 5): Promise<void> {
    this.send({ cmd: 'connect', clientId, protocolVersion, clean: true, keepalive: 0 }, protocolVersion);
    await this.next('connack');
  }

  /** Waits for the next packet of kind `cmd` not yet consumed. */
  async next(cmd: Packet['cmd']): Promise<Packet> {
    for (let i = 0; i < 2000; i++) {
      const index = this.packets.findIndex((p) => p.cmd === cmd);
      if (index >= 0) return this.packets.splice(index, 1)[0] as Packet;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`no ${cmd} arrived`);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
