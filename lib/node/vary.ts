import { OutgoingMessage, type ServerResponse } from 'node:http';
import { type VaryFields, mergeVary } from '../core/vary.js';

// Vary on a ServerResponse (the merge itself is the core's, core/vary.ts).

// Reading Vary through `res.getHeader` costs, on the response objects Express re-prototypes per
// request (each with a hidden class of its own), a lookup of `getHeader` along the prototype chain
// that V8 cannot cache: about 0.4 µs, more than setting the header. Where the prototype's getHeader
// is Node's own, it is called directly; the prototype is checked once while it stays the same.
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(res) only
const NATIVE_GET_HEADER = OutgoingMessage.prototype.getHeader;
let lastPrototype: unknown = undefined;
let lastNative = false;

function varyOf(res: ServerResponse): ReturnType<ServerResponse['getHeader']> {
  const prototype: unknown = Object.getPrototypeOf(res);
  if (prototype !== lastPrototype) {
    lastPrototype = prototype;
    lastNative =
      res instanceof OutgoingMessage &&
      (prototype as OutgoingMessage).getHeader === NATIVE_GET_HEADER;
  }
  return lastNative ? NATIVE_GET_HEADER.call(res, 'vary') : res.getHeader('vary');
}

export function appendVary(res: ServerResponse, fields: VaryFields): void {
  const current = varyOf(res);
  if (current === undefined) {
    res.setHeader('Vary', fields.value);
    return;
  }
  const text = Array.isArray(current) ? current.join(', ') : String(current);
  const merged = mergeVary(text, fields);
  if (merged !== undefined) res.setHeader('Vary', merged);
}
