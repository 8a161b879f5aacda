/** The roles of issue 5. A token's other role strings are ignored (they grant nothing). */
export const ROLES = ['nurse', 'physician', 'admin', 'device', 'service'] as const;

export type Role = (typeof ROLES)[number];

/** Roles whose access to patient data is bounded by the wards in their token. */
export type WardRole = 'nurse' | 'physician';

/** Roles that may ask for (and then use) a break-glass grant. */
export const BREAK_GLASS_ROLES: readonly Role[] = ['admin', 'nurse', 'physician'];

/** The known roles among a token's role strings, each once, in ROLES order. */
export function knownRoles(roles: readonly string[]): Role[] {
  return ROLES.filter((role) => roles.includes(role));
}
