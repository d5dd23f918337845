// kubectl describe's field layout, shared by the describers.

/** `Selector:     app=web`: the name and its colon padded to kubectl's column. */
export const field = (name: string, value: string): string => `${`${name}:`.padEnd(24)}${value}`;
