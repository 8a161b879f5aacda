import { MemoryWebhookOutbox } from './memory-webhook-outbox.js';
import { describeWebhookOutboxContract } from './outbox-contract.js';

describeWebhookOutboxContract('MemoryWebhookOutbox', () => new MemoryWebhookOutbox());
