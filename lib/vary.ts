import type { ServerResponse } from 'node:http';

// Append field names to the response's Vary header without clobbering what is there.
//
// RFC 9110 §12.5.5:  Vary = #( "*" / field-name )
// A Vary of "*" already says the response varies on everything, so nothing is added to it. Field
// names compare case-insensitively. The value is computed from the response only: the request's own
// headers are never copied.

/** A Vary contribution computed once: the names and the text to set when Vary is empty. */
export interface VaryFields {
  readonly value: string;
  readonly fields: readonly string[];
}

export function varyFields(...fields: string[]): VaryFields {
  return { value: fields.join(', '), fields };
}

export function appendVary(res: ServerResponse, fields: VaryFields): void {
  const current = res.getHeader('vary');
  if (current === undefined) {
    res.setHeader('Vary', fields.value);
    return;
  }
  const text = Array.isArray(current) ? current.join(', ') : String(current);
  const present = text.split(',').map((name) => name.trim().toLowerCase());
  if (present.includes('*')) return;
  let missing = '';
  for (const field of fields.fields) {
    if (!present.includes(field.toLowerCase())) {
      missing = missing === '' ? field : `${missing}, ${field}`;
    }
  }
  if (missing === '') return;
  res.setHeader('Vary', text.trim() === '' ? missing : `${text}, ${missing}`);
}
