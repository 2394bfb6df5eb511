export { Ring, copyRing } from './ring';
export { forEachRecord, copyLiveRing, copyQuiescentRing, readHeader, oldestRecordTsUs } from './reader';
export { computeLayout, layoutFromHeader, MIN_RING_BYTES, RECORD_BYTES, HEADER_BYTES } from './layout';
export { MAX_STRING_BYTES } from './strings';
