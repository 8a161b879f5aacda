/**
 * The claims of a JWT, decoded without verification: for display and for choosing a ward only.
 * The API verifies every token; nothing here grants access.
 */
export interface Claims {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly wards: readonly string[];
  /** Expiry, epoch seconds. */
  readonly exp: number;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The claims of `token`, or undefined when it is not a JWT with a payload this app can read. */
export function decodeClaims(token: string): Claims | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const { sub, exp } = json;
    if (typeof sub !== 'string' || typeof exp !== 'number') return undefined;
    return { sub, exp, roles: strings(json['roles']), wards: strings(json['wards']) };
  } catch {
    return undefined;
  }
}
