// Express 4 is installed under the npm alias `express4`; its API, as these tests use it, matches
// Express 5's types closely enough.
declare module 'express4' {
  import express from 'express';
  export default express;
}
