/** Where the text of a URL ends inside a message: whitespace, quotes, angle brackets. */
const URL_END = /[\s"'<>`]/;

/**
 * Removes the `user:password@` of every URL inside a text, so credentials never reach
 * `last_error`, logs, frames or error messages. A URL's userinfo is everything from
 * its `://` to the last `@` before the URL ends (at whitespace, a quote or an angle
 * bracket): that is what a URL parser takes as userinfo, and it also covers URLs that do
 * not parse (`http://user:p@ss@[bad`, `http://user:a/b@host`), at the price of cutting
 * a little more than the userinfo from a URL with an `@` in its path. One pass, linear
 * in the text's length whatever it holds.
 *
 * @example
 * ```ts
 * redactCredentials('request to http://admin:hunter2@10.0.0.2:14002/ failed'); // 'request to http://10.0.0.2:14002/ failed'
 * ```
 */
export function redactCredentials(text: string): string {
  let result = '';
  let copiedUpTo = 0;
  let scheme = text.indexOf('://');
  while (scheme !== -1) {
    const authority = scheme + 3;
    let end = authority;
    let lastAt = -1;
    for (; end < text.length; end++) {
      const char = text[end] ?? '';
      if (URL_END.test(char)) break;
      if (char === '@') lastAt = end;
    }
    if (lastAt !== -1) {
      result += text.slice(copiedUpTo, authority);
      copiedUpTo = lastAt + 1;
    }
    scheme = text.indexOf('://', end);
  }
  return copiedUpTo === 0 ? text : result + text.slice(copiedUpTo);
}
