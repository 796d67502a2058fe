/**
 * A URL path segment, percent-decoded; `undefined` when it is not valid percent-encoding
 * (`%zz`, where `decodeURIComponent` throws): such a segment names nothing.
 *
 * @example
 * ```ts
 * decodedSegment('node%201'); // 'node 1'
 * decodedSegment('%zz'); // undefined
 * ```
 */
export function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
