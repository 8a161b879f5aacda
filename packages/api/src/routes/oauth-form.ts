/**
 * The form's parameters; a description of the problem instead when one repeats [RFC 6749 §3.2].
 * An empty value counts as absent [RFC 6749 §3.1].
 */
export function parseForm(body: string): Record<string, string> | string {
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(form, name)) return `parameter ${name.slice(0, 40)} is given more than once`;
    if (value !== '') form[name] = value;
  }
  return form;
}
