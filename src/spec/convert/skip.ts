/** An object `faultline import` does not take: its message says why, and the import goes on with the next. */
export class Skip extends Error {}
