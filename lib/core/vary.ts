// Adding field names to a response's Vary header without clobbering what is there.
//
// RFC 9110 §12.5.5:  Vary = #( "*" / field-name )
// A Vary of "*" already says the response varies on everything, so nothing is added to it. Field
// names compare case-insensitively. The value is computed from the response only: the request's own
// headers are never copied. Each front reads and writes its own response (node/vary.ts, fetch/).

/** A Vary contribution computed once: the names and the text to set when Vary is empty. */
export interface VaryFields {
  readonly value: string;
  readonly fields: readonly string[];
}

export function varyFields(...fields: string[]): VaryFields {
  return { value: fields.join(', '), fields };
}

/**
 * The Vary value once `fields` are in the response's present value `text` (not empty), or
 * undefined when nothing is to change: all are there, or Vary is `*`.
 */
export function mergeVary(text: string, fields: VaryFields): string | undefined {
  const present = text.split(',').map((name) => name.trim().toLowerCase());
  if (present.includes('*')) return undefined;
  let missing = '';
  for (const field of fields.fields) {
    if (!present.includes(field.toLowerCase())) {
      missing = missing === '' ? field : `${missing}, ${field}`;
    }
  }
  if (missing === '') return undefined;
  return text.trim() === '' ? missing : `${text}, ${missing}`;
}
