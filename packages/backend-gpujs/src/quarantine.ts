/**
 * gpu.js walks its own objects with `for…in` (58 loops in 2.24.1), which also visits the enumerable
 * keys a caller set on `Object.prototype`: with `Object.prototype.alpha = 1` every kernel call
 * failed (a TypeError in gpu.js's utils.flattenTo). Rectifier itself reads arguments as own
 * properties only (core's guard.ts); for gpu.js, whose code we do not own, each synchronous call
 * into it runs with such keys made non-enumerable, and restored exactly afterwards. Nothing else
 * runs in between (the calls are synchronous), so no other code sees the change.
 */
export function shieldedFromPrototypeKeys<T>(call: () => T): T {
  const proto = Object.prototype as Record<string, unknown>;
  let keys: string[] | undefined;
  for (const key in proto) (keys ??= []).push(key); // Object.prototype's own enumerable keys only
  if (keys === undefined) return call(); // the usual case: nothing to hide, nothing to restore
  const hidden = keys
    .map((key) => [key, Object.getOwnPropertyDescriptor(proto, key)] as const)
    .filter((entry): entry is readonly [string, PropertyDescriptor] => entry[1]?.configurable === true);
  for (const [key, descriptor] of hidden) Object.defineProperty(proto, key, { ...descriptor, enumerable: false });
  try {
    return call();
  } finally {
    for (const [key, descriptor] of hidden) Object.defineProperty(proto, key, descriptor);
  }
}
