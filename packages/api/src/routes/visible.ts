import { isValidId, wardId } from '@wardstream/domain';
import type { ListScope } from '../access/decide.js';
import type { ApiDeps } from '../deps.js';

/** Whether a list filtered to `scope` shows a patient on `ward` (a patient on no ward: only unfiltered). */
export function wardVisible(scope: ListScope, ward: string | null): boolean {
  return scope.kind === 'all' || (ward !== null && scope.wards.has(ward));
}

/** The patients a list filtered to `scope` may show: `all`, or those registered on its wards now. */
export async function visiblePatients(deps: ApiDeps, scope: ListScope): Promise<'all' | Set<string>> {
  if (scope.kind === 'all') return 'all';
  // A token's ward that is no valid id names no ward the registry could hold.
  const wards = [...scope.wards].filter((w) => isValidId(w));
  const patients = await Promise.all(wards.map((w) => deps.registry.listPatients({ wardId: wardId(w) })));
  return new Set(patients.flat().map((p): string => p.id));
}
