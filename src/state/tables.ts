/** The Table storage stores behind the core's ports, in one import. */
export { createLedger } from './ledger';
export { createEscrowStore } from './escrowStore';
export { createRunHistory } from './runHistory';
export { createWatermarkStore } from './watermarkStore';
