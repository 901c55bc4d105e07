// Preloaded with `node --require` to run a process whose clock is off by SKEW_MS (a laptop with a
// wrong clock): Date.now() and `new Date()` shift, nothing in src/ knows. Used by the process tests.
'use strict';
const skew = Number(process.env.SKEW_MS || 0);
if (skew !== 0) {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + skew);
      else super(...args);
    }
    static now() {
      return RealDate.now() + skew;
    }
  }
  globalThis.Date = SkewedDate;
}
