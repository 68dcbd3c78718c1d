import { type IncomingMessage, ServerResponse } from 'node:http';
import { varyFields } from '../lib/core/vary.js';
import { appendVary } from '../lib/node/vary.js';

const ORIGIN = varyFields('Origin');
const ORIGIN_ACRH = varyFields('Origin', 'Access-Control-Request-Headers');

/** A real response, optionally with a Vary header already set. */
function response(vary?: string | string[]): ServerResponse {
  const res = new ServerResponse({ method: 'GET', headers: {} } as unknown as IncomingMessage);
  if (vary !== undefined) res.setHeader('Vary', vary);
  return res;
}

function varyAfter(vary: string | string[] | undefined, fields = ORIGIN): unknown {
  const res = response(vary);
  appendVary(res, fields);
  return res.getHeader('Vary');
}

describe('varyFields', () => {
  it('joins the fields into the value set when there is no Vary yet', () => {
    expect(ORIGIN_ACRH).toEqual({
      value: 'Origin, Access-Control-Request-Headers',
      fields: ['Origin', 'Access-Control-Request-Headers'],
    });
  });
});

describe('appendVary', () => {
  describe('when no Vary', () => {
    it('sets the one field', () => {
      expect(varyAfter(undefined)).toBe('Origin');
    });

    it('sets several fields at once', () => {
      expect(varyAfter(undefined, ORIGIN_ACRH)).toBe('Origin, Access-Control-Request-Headers');
    });
  });

  describe('when Vary lists other fields', () => {
    it.each([
      ['Accept-Encoding', 'Accept-Encoding, Origin'],
      ['Accept, Accept-Encoding', 'Accept, Accept-Encoding, Origin'],
      ['Originator', 'Originator, Origin'],
    ])('appends to %j, giving %j', (vary, expected) => {
      expect(varyAfter(vary)).toBe(expected);
    });
  });

  describe('when Vary is *', () => {
    it.each(['*', ' * ', 'Accept, *', '*, Accept'])('leaves %j alone', (vary) => {
      expect(varyAfter(vary, ORIGIN_ACRH)).toBe(vary);
    });

    it('leaves an array holding * alone', () => {
      expect(varyAfter(['Accept', '*'])).toEqual(['Accept', '*']);
    });
  });

  describe('when Vary already lists the field in another case', () => {
    it.each(['origin', 'ORIGIN', 'Accept, origin', ' origin , Accept'])(
      'leaves %j alone',
      (vary) => {
        expect(varyAfter(vary)).toBe(vary);
      },
    );

    it('appends only the fields that are missing', () => {
      expect(varyAfter('accept, origin', ORIGIN_ACRH)).toBe(
        'accept, origin, Access-Control-Request-Headers',
      );
    });
  });

  describe('when Vary is an array', () => {
    it('joins it and appends the field', () => {
      expect(varyAfter(['Accept', 'Accept-Encoding'])).toBe('Accept, Accept-Encoding, Origin');
    });

    it('leaves it alone when one element already names the field', () => {
      expect(varyAfter(['Accept', 'origin'])).toEqual(['Accept', 'origin']);
    });

    it('finds the field inside an element that is itself a list', () => {
      expect(varyAfter(['Accept, Origin', 'Cookie'])).toEqual(['Accept, Origin', 'Cookie']);
    });
  });

  describe('when Vary is empty', () => {
    it.each([[''], ['  '], [[] as string[]]])('replaces %j with the field alone', (vary) => {
      expect(varyAfter(vary)).toBe('Origin');
    });

    it('sets every field when all are missing', () => {
      expect(varyAfter('', ORIGIN_ACRH)).toBe('Origin, Access-Control-Request-Headers');
    });
  });

  describe('when called twice with the same field', () => {
    it('adds it once', () => {
      const res = response('Accept');
      appendVary(res, ORIGIN);
      appendVary(res, ORIGIN_ACRH);
      expect(res.getHeader('Vary')).toBe('Accept, Origin, Access-Control-Request-Headers');
    });
  });
});

describe('appendVary, reading the current Vary', () => {
  it("asks a response class's own getHeader when it replaces Node's", () => {
    class Stored extends ServerResponse {
      override getHeader(name: string): ReturnType<ServerResponse['getHeader']> {
        return name === 'vary' ? 'Accept-Encoding' : super.getHeader(name);
      }
    }
    const res = new Stored({ method: 'GET', headers: {} } as unknown as IncomingMessage);
    appendVary(res, ORIGIN);
    expect(res.getHeaders().vary).toBe('Accept-Encoding, Origin');
    // and Node's own again for a plain response after it
    expect(varyAfter('Cookie')).toBe('Cookie, Origin');
  });

  it('asks getHeader on something that is not a Node response', () => {
    const set: Record<string, string> = {};
    const res = {
      getHeader: (name: string) => (name === 'vary' ? 'Cookie' : undefined),
      setHeader: (name: string, value: string) => {
        set[name] = value;
      },
    } as unknown as ServerResponse;
    appendVary(res, ORIGIN);
    expect(set).toEqual({ Vary: 'Cookie, Origin' });
  });
});
