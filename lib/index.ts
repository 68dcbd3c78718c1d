// The public surface of corsguard. CommonJS consumers get the factory itself (see cjs.ts).
import { cors } from './cors.js';

export { cors };
export default cors;
export { CorsConfigError, type CorsConfigIssue } from './errors.js';
export type {
  CheckedCorsOptions,
  CorsMiddleware,
  CorsOptions,
  CorsOptionsDelegate,
  CustomOrigin,
  OriginCallback,
  StaticOrigin,
} from './types.js';
