import { describeReadingStoreContract } from '../contract.js';
import { testSchema } from './test-schema.js';

// Against the PostgreSQL server .ci/run starts; each test gets a fresh schema, dropped afterwards.
describeReadingStoreContract('PostgresReadingStore', () => Promise.resolve(testSchema()));
