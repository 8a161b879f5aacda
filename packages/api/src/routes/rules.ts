import { DEFAULT_RULES, type AlarmRule, type RuleScope } from '@wardstream/clinical';
import { isValidId, WardstreamError } from '@wardstream/domain';
import type { Context, Hono } from 'hono';
import { accessOf } from '../access/context.js';
import { actorField } from '../body-fields.js';
import { ruleSetJson } from '../clinical-json.js';
import type { ApiDeps, ClinicalApiDeps } from '../deps.js';
import { jsonBody } from '../json.js';
import { ParamErrors } from '../params.js';
import { problem, RequestProblem } from '../problem.js';
import { knownPatient } from './subjects.js';

/** `rules[3].limit: expected a finite number` → the field and the reason. */
const FIELD_MESSAGE = /^(rules(?:\[\d+\])?(?:\.[A-Za-z]+)?): (.*)$/s;

/** The version a PUT expects, from `If-Match: "<version>"` or the body's `expectedVersion`. */
function expectedVersion(c: Context, body: Record<string, unknown>, errors: ParamErrors): number | undefined {
  const header = c.req.header('if-match');
  const headerErrors = new ParamErrors();
  const match = header === undefined ? undefined : /^"(\d{1,15})"$/.exec(header.trim());
  if (header !== undefined && match === null) {
    headerErrors.add('If-Match', 'expected "<version>", the ETag of a GET of the scope');
  }
  headerErrors.throwIfAny();
  const fromHeader = match?.[1] === undefined ? undefined : Number(match[1]);
  const raw = body['expectedVersion'];
  const fromBody = typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0 ? raw : undefined;
  if (raw !== undefined && fromBody === undefined) errors.add('expectedVersion', 'must be a non-negative integer');
  if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody) {
    errors.add('expectedVersion', `is ${fromBody} but If-Match says ${fromHeader}`);
  }
  return fromHeader ?? fromBody;
}

/**
 * Alarm rule sets: the defaults, a ward's and a patient's overrides (GET and PUT each, with the
 * version as ETag and optimistic concurrency through If-Match), and a patient's effective rules.
 */
export function mountRuleRoutes(app: Hono, deps: ApiDeps, clinical: ClinicalApiDeps): void {
  const { commands, store } = clinical;

  const scopeRoutes = (path: string, scopeOf: (c: Context) => Promise<RuleScope>, fallback: readonly AlarmRule[]) => {
    app.get(path, async (c) => {
      const scope = await scopeOf(c);
      const set = ruleSetJson(scope, store.getRuleSet(scope), fallback);
      return c.json(set, 200, { etag: `"${set.version}"` });
    });

    app.put(path, async (c) => {
      const scope = await scopeOf(c);
      const body = await jsonBody(c);
      const errors = new ParamErrors('body');
      const by = actorField(body, 'by', errors, accessOf(c).principal.subject);
      const expected = expectedVersion(c, body, errors);
      if (body['rules'] === undefined) errors.add('rules', 'required, an array of rules');
      errors.throwIfAny();
      let stored;
      try {
        stored = await commands.putRules(scope, body['rules'], by, expected);
      } catch (err) {
        if (!(err instanceof WardstreamError) || err.code !== 'INVALID_INPUT') throw err;
        const [, name = 'rules', reason = err.message] = FIELD_MESSAGE.exec(err.message) ?? [];
        throw new RequestProblem(problem('invalid-body', 422, err.message, [{ name, reason }]));
      }
      const set = ruleSetJson(scope, stored, fallback);
      return c.json(set, 200, { etag: `"${set.version}"` });
    });
  };

  scopeRoutes('/api/v1/rules/default', () => Promise.resolve({ kind: 'default' }), DEFAULT_RULES);
  scopeRoutes(
    '/api/v1/wards/:wardId/rules',
    (c) => {
      const wardId = c.req.param('wardId') ?? '';
      if (!isValidId(wardId)) {
        throw new RequestProblem(problem('invalid-parameter', 400, 'wardId: use 1-64 of A-Z a-z 0-9 . _ -'));
      }
      return Promise.resolve({ kind: 'ward', wardId });
    },
    [],
  );
  scopeRoutes(
    '/api/v1/patients/:patientId/rules',
    async (c) => ({ kind: 'patient', patientId: await knownPatient(c, deps) }),
    [],
  );

  app.get('/api/v1/patients/:patientId/rules/effective', async (c) => {
    const patientId = await knownPatient(c, deps);
    return c.json({ patientId, rules: await commands.effectiveRules(patientId) });
  });
}
