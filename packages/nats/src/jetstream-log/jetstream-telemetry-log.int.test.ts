import { describeTelemetryLogContract } from '@wardstream/log/contract';
import { LOCAL_TEST_NATS_URL, deleteLog, uniquePrefix } from '../testing.js';
import { JetStreamTelemetryLog } from './jetstream-telemetry-log.js';

// Against the nats-server (JetStream) .ci/run starts on 127.0.0.1:4222; each test gets its own
// prefix (streams and offsets bucket), deleted afterwards.
describeTelemetryLogContract('JetStreamTelemetryLog', () => {
  const prefix = uniquePrefix();
  return Promise.resolve({
    open: () => JetStreamTelemetryLog.open({ servers: LOCAL_TEST_NATS_URL, prefix, replicas: 1 }),
    cleanup: () => deleteLog(prefix),
  });
});
