import { pagerDutyAction, webhookRequest } from './payloads.js';
import { classifyResponse, describeSendError, networkFailure, type AttemptOutcome } from './retry-schedule.js';
import type { OutboxItem } from './webhook-outbox.js';
import type { WebhookPolicy, WebhookTarget } from './webhook-target.js';

/** What a send needs: `fetch`'s shape, narrowed. It must honour `signal` (the attempt's timeout). */
export type WebhookSend = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; redirect: 'manual'; signal: AbortSignal },
) => Promise<{ status: number; headers?: { get(name: string): string | null } }>;

/** The default send: global fetch. The response body is discarded unread. */
export const fetchSend: WebhookSend = async (url, init) => {
  const response = await fetch(url, init);
  await response.body?.cancel().catch(() => undefined);
  return response;
};

export interface SendContext {
  readonly send: WebhookSend;
  readonly policy: WebhookPolicy;
  readonly now: () => number;
  readonly random: () => number;
}

/**
 * One attempt to deliver a row: builds and signs the request at the current time, posts it with
 * the policy's timeout and classifies the answer (retry-schedule.ts). Never rejects: a thrown
 * send (network error, reset, timeout) is a transient failure.
 */
export async function sendAttempt(
  context: SendContext,
  target: WebhookTarget,
  item: OutboxItem,
): Promise<AttemptOutcome> {
  const { send, policy, now, random } = context;
  const attempts = item.attempts + 1;
  if (target.kind === 'pagerduty' && pagerDutyAction(item.event.type) === null) {
    // Only after a target's kind changed to pagerduty with rows pending: PagerDuty has no action
    // for this event, so there is nothing to send. Recorded as delivered with status 0.
    return { kind: 'delivered', status: 0 };
  }
  try {
    const { headers, body } = webhookRequest(target, item.event, now());
    const signal = AbortSignal.timeout(policy.timeoutMs);
    const response = await send(target.url, { method: 'POST', headers, body, redirect: 'manual', signal });
    const retryAfter = response.headers?.get('retry-after') ?? null;
    return classifyResponse(policy, attempts, random, response.status, retryAfter, now());
  } catch (err) {
    return networkFailure(policy, attempts, random, describeSendError(err, policy.timeoutMs));
  }
}
